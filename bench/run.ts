import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { deployCommands } from '../src/deploy.js';
import { BotProcess } from '../src/local/harness/bot-process.js';
import { DiscordStandIn, type InteractionRecord } from '../src/local/standin/server.js';
import type { GuildState, MessageState } from '../src/local/standin/state.js';
import { createLogger } from '../src/logger.js';
import { openStore } from '../src/store/keyv.js';
import { createPollStore } from '../src/store/polls.js';
import { openVoteKey } from '../src/store/vote-key.js';
import { runClosedResultsScenario } from './closed-results.js';

/**
 * `npm run bench`: the vote path of the real bot, through the stand-in, against a no-op discord.js bot measured in
 * the same run. Not a test: it prints a table and writes bench/results/latest.json.
 *   --quick             shorter runs (for a smoke check)
 *   --backends a,b      sqlite,redis,postgres (default: sqlite plus whichever of REDIS_URL / POSTGRES_URL is set,
 *                       falling back to the local servers when they answer)
 *   --scenario s        votes | closed-results | all (default): closed-results is bench/closed-results.ts
 */
const { values } = parseArgs({
	options: {
		quick: { type: 'boolean', default: false },
		backends: { type: 'string' },
		scenario: { type: 'string', default: 'all' },
	},
});
const QUICK = values.quick ?? false;
const BURST_VOTES = QUICK ? 600 : 3_000;
const IN_FLIGHT = 64;
const OPEN_RATE = 500;
const OPEN_SECONDS = QUICK ? 4 : 20;
const GUILDS = 10;
const VOTES_PER_GUILD = QUICK ? 60 : 300;

interface Measured {
	readonly offered: number;
	readonly answered: number;
	readonly seconds: number;
	readonly perSecond: number;
	readonly p50: number;
	readonly p99: number;
	readonly max: number;
}

interface ScenarioRow extends Measured {
	readonly backend: string;
	readonly scenario: string;
	readonly bot: 'parley' | 'baseline';
	readonly lost: number | null;
	readonly doubleCounted: number | null;
}

function percentile(sorted: readonly number[], p: number): number {
	if (sorted.length === 0) return 0;
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function measure(records: readonly InteractionRecord[], started: number): Promise<Measured> {
	await Promise.all(records.map((record) => record.acked));
	const answered = records.filter((record) => record.ack !== null);
	const latencies = answered.map((record) => (record.ack?.at ?? 0) - record.createdAt).sort((a, b) => a - b);
	const last = Math.max(...answered.map((record) => record.ack?.at ?? 0), started + 1);
	const seconds = (last - started) / 1000;
	return {
		offered: records.length,
		answered: answered.length,
		seconds: Math.round(seconds * 100) / 100,
		perSecond: Math.round(answered.length / seconds),
		p50: percentile(latencies, 50),
		p99: percentile(latencies, 99),
		max: latencies.at(-1) ?? 0,
	};
}

/** Closed loop: `inFlight` members click as fast as receipts come back. */
async function closedLoop(
	standIn: DiscordStandIn,
	targets: readonly { card: MessageState; guild: GuildState; customId: string; count: number; prefix: string }[],
): Promise<{ measured: Measured; records: InteractionRecord[] }> {
	const jobs = targets.flatMap((target) =>
		Array.from({ length: target.count }, (_, index) => ({ ...target, name: `${target.prefix}${index}` })),
	);
	for (const job of jobs) standIn.member(job.name, job.guild);
	const records: InteractionRecord[] = [];
	let next = 0;
	const started = Date.now();
	await Promise.all(
		Array.from({ length: IN_FLIGHT }, async () => {
			for (;;) {
				const job = jobs[next++];
				if (!job) return;
				const record = standIn.click(standIn.member(job.name, job.guild), job.card, job.customId);
				records.push(record);
				await record.acked;
			}
		}),
	);
	return { measured: await measure(records, started), records };
}

/** Open loop: clicks offered at a fixed rate whatever the answers do. */
async function openLoop(
	standIn: DiscordStandIn,
	card: MessageState,
	customId: string,
	prefix: string,
): Promise<{ measured: Measured; records: InteractionRecord[] }> {
	const total = OPEN_RATE * OPEN_SECONDS;
	const users = Array.from({ length: total }, (_, index) => standIn.member(`${prefix}${index}`));
	const records: InteractionRecord[] = [];
	const started = Date.now();
	let sent = 0;
	await new Promise<void>((resolve) => {
		const timer = setInterval(() => {
			const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * OPEN_RATE));
			for (; sent < due; sent += 1) {
				const user = users[sent];
				if (user) records.push(standIn.click(user, card, customId));
			}
			if (sent >= total) {
				clearInterval(timer);
				resolve();
			}
		}, 5);
	});
	return { measured: await measure(records, started), records };
}

function cardOf(standIn: DiscordStandIn, question: string): MessageState {
	const found = [...standIn.messages.values()]
		.filter((message) => message.visibleTo === null && JSON.stringify(message.embeds).includes(question))
		.at(-1);
	if (!found) throw new Error(`no card for ${question}`);
	return found;
}

function firstButton(card: MessageState): string {
	return (card.components as { components: { custom_id: string }[] }[])[0]?.components[0]?.custom_id ?? '';
}

async function reachable(url: string): Promise<boolean> {
	try {
		const store = await openStore(url, createLogger({ level: 'silent', secrets: [] }), { namespace: 'benchprobe' });
		await store.close();
		return true;
	} catch {
		return false;
	}
}

async function backendUrls(): Promise<{ name: string; url: string }[]> {
	const dir = join(tmpdir(), `parley-bench-${process.pid}`);
	mkdirSync(dir, { recursive: true });
	const candidates = [
		{ name: 'sqlite', url: `sqlite://${join(dir, 'bench.sqlite')}` },
		{ name: 'redis', url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
		{ name: 'postgres', url: process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
	];
	const wanted = values.backends?.split(',') ?? candidates.map((candidate) => candidate.name);
	const result: { name: string; url: string }[] = [];
	for (const candidate of candidates) {
		if (!wanted.includes(candidate.name)) continue;
		if (candidate.name === 'sqlite' || (await reachable(candidate.url))) result.push(candidate);
		else process.stdout.write(`(skipping ${candidate.name}: not reachable)\n`);
	}
	return result;
}

async function runBackend(name: string, storeUrl: string): Promise<{ rows: ScenarioRow[]; peakRssMb: number }> {
	const guildSeeds = Array.from({ length: GUILDS + 1 }, (_, index) => ({
		name: index === 0 ? 'Bench' : `Bench ${index}`,
	}));
	const standIn = await DiscordStandIn.start({ guilds: guildSeeds });
	await deployCommands(
		loadConfig({ DISCORD_TOKEN: standIn.token, DISCORD_API_BASE: standIn.apiBase, STORE_URL: storeUrl }),
	);
	const guilds = [...standIn.guilds.values()];
	const rows: ScenarioRow[] = [];
	let peakRssMb = 0;
	const run = `${name}${Date.now().toString(36)}`;
	try {
		const bot = await BotProcess.start({ standIn, storeUrl });
		const start = async (guild: GuildState, question: string) => {
			await standIn.settle(
				standIn.command(
					standIn.member('mod', guild),
					{ name: 'poll', subcommand: 'start', options: { question, duration: '7d', style: 'yes-no' } },
					{ guildId: guild.id },
				),
			);
			return cardOf(standIn, question);
		};
		const main = guilds[0] as GuildState;
		// Warm-up (JIT, connection pools, SQLite pages) before anything is measured, for both bots alike.
		const warmCard = await start(main, `${run} warm-up`);
		await closedLoop(standIn, [
			{ card: warmCard, guild: main, customId: firstButton(warmCard), count: 500, prefix: `${run}w` },
		]);
		const burstCard = await start(main, `${run} burst`);
		const burst = await closedLoop(standIn, [
			{ card: burstCard, guild: main, customId: firstButton(burstCard), count: BURST_VOTES, prefix: `${run}b` },
		]);
		const openCard = await start(main, `${run} open`);
		const open = await openLoop(standIn, openCard, firstButton(openCard), `${run}o`);
		// One at a time: starting them all at once right after the open-loop run can miss Discord's 3-second window.
		const manyCards: MessageState[] = [];
		for (const [index, guild] of guilds.slice(1).entries()) manyCards.push(await start(guild, `${run} guild ${index}`));
		const many = await closedLoop(
			standIn,
			manyCards.map((card, index) => ({
				card,
				guild: guilds[index + 1] as GuildState,
				customId: firstButton(card),
				count: VOTES_PER_GUILD,
				prefix: `${run}m${index}`,
			})),
		);
		peakRssMb = bot.memory().peakRssMb;

		// Lost and double-counted, from the store: every receipted voter has a vote key; each close counts each key once.
		const checks: { records: InteractionRecord[]; cards: MessageState[] }[] = [
			{ records: burst.records, cards: [burstCard] },
			{ records: open.records, cards: [openCard] },
			{ records: many.records, cards: manyCards },
		];
		const silent = createLogger({ level: 'silent', secrets: [] });
		const store = await openStore(storeUrl, silent);
		const polls = createPollStore(store, await openVoteKey(store, {}, silent));
		const audit: { lost: number; doubleCounted: number }[] = [];
		for (const check of checks) {
			let lost = 0;
			let doubleCounted = 0;
			for (const card of check.cards) {
				const pollId = /Poll (\w+)/.exec(JSON.stringify(card.embeds))?.[1] ?? '';
				const votes = await polls.listVotes(pollId);
				const record = await polls.getPoll(pollId);
				const receipted = check.records.filter(
					(record) =>
						record.sourceMessageId === card.id &&
						record.outputs.some((output) => output.message?.content.startsWith('Recorded:')),
				);
				lost += receipted.filter((receipt) => !record || !votes.has(polls.voterKey(record, receipt.userId))).length;
				await standIn.settle(
					standIn.command(
						standIn.member('mod', standIn.guilds.get(card.guildId ?? '') ?? main),
						{ name: 'poll', subcommand: 'close', options: { poll: pollId } },
						{ guildId: card.guildId ?? main.id },
					),
				);
				const closed = await polls.getPoll(pollId);
				doubleCounted += (closed?.finalCounts ?? []).reduce((sum, count) => sum + count, 0) - votes.size;
			}
			audit.push({ lost, doubleCounted });
		}
		await store.close();
		await bot.kill('SIGTERM');
		rows.push({
			backend: name,
			scenario: `burst, ${IN_FLIGHT} in flight`,
			bot: 'parley',
			...burst.measured,
			...(audit[0] ?? { lost: null, doubleCounted: null }),
		});
		rows.push({
			backend: name,
			scenario: `open loop ${OPEN_RATE}/s × ${OPEN_SECONDS} s`,
			bot: 'parley',
			...open.measured,
			...(audit[1] ?? { lost: null, doubleCounted: null }),
		});
		rows.push({
			backend: name,
			scenario: `${GUILDS} guilds × ${VOTES_PER_GUILD}`,
			bot: 'parley',
			...many.measured,
			...(audit[2] ?? { lost: null, doubleCounted: null }),
		});

		const baseline = await BotProcess.start({ standIn, storeUrl, entry: 'bench/baseline-bot.ts' });
		await closedLoop(standIn, [
			{ card: warmCard, guild: main, customId: firstButton(warmCard), count: 500, prefix: `${run}W` },
		]);
		const baseBurst = await closedLoop(standIn, [
			{ card: burstCard, guild: main, customId: firstButton(burstCard), count: BURST_VOTES, prefix: `${run}B` },
		]);
		const baseOpen = await openLoop(standIn, openCard, firstButton(openCard), `${run}O`);
		const baseMany = await closedLoop(
			standIn,
			manyCards.map((card, index) => ({
				card,
				guild: guilds[index + 1] as GuildState,
				customId: firstButton(card),
				count: VOTES_PER_GUILD,
				prefix: `${run}M${index}`,
			})),
		);
		await baseline.kill('SIGTERM');
		rows.push({
			backend: name,
			scenario: `burst, ${IN_FLIGHT} in flight`,
			bot: 'baseline',
			...baseBurst.measured,
			lost: null,
			doubleCounted: null,
		});
		rows.push({
			backend: name,
			scenario: `open loop ${OPEN_RATE}/s × ${OPEN_SECONDS} s`,
			bot: 'baseline',
			...baseOpen.measured,
			lost: null,
			doubleCounted: null,
		});
		rows.push({
			backend: name,
			scenario: `${GUILDS} guilds × ${VOTES_PER_GUILD}`,
			bot: 'baseline',
			...baseMany.measured,
			lost: null,
			doubleCounted: null,
		});
	} finally {
		await standIn.close();
		if (name === 'sqlite') rmSync(storeUrl.slice('sqlite://'.length), { force: true });
	}
	return { rows, peakRssMb };
}

const backends = await backendUrls();
if (values.scenario !== 'votes') await runClosedResultsScenario(backends, QUICK);
if (values.scenario === 'closed-results') process.exit(0);
const results: { backend: string; peakRssMb: number; rows: ScenarioRow[] }[] = [];
for (const backend of backends) {
	process.stdout.write(`running ${backend.name}…\n`);
	const { rows, peakRssMb } = await runBackend(backend.name, backend.url);
	results.push({ backend: backend.name, peakRssMb, rows });
}

const lines = [
	'| backend | scenario | Parley votes/s | baseline/s | ratio | p50 ms | p99 ms | max ms | lost | double | peak RSS |',
	'|---|---|---|---|---|---|---|---|---|---|---|',
];
for (const result of results) {
	for (const row of result.rows.filter((item) => item.bot === 'parley')) {
		const base = result.rows.find((item) => item.bot === 'baseline' && item.scenario === row.scenario);
		const ratio = base && base.perSecond > 0 ? (row.perSecond / base.perSecond).toFixed(2) : '–';
		lines.push(
			`| ${row.backend} | ${row.scenario} | ${row.perSecond} | ${base?.perSecond ?? '–'} | ${ratio} | ${row.p50} | ${row.p99} | ${row.max} | ${row.lost} | ${row.doubleCounted} | ${result.peakRssMb} MB |`,
		);
	}
}
const table = lines.join('\n');
process.stdout.write(
	`\n${table}\n\nLatency is from the click leaving the stand-in to the receipt arriving there (Parley: after the vote is stored).\n`,
);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
	'bench/results/latest.json',
	`${JSON.stringify({ measuredAt: new Date().toISOString(), machine: `${process.platform} ${process.arch}, node ${process.version}`, quick: QUICK, results, table }, null, 2)}\n`,
);
process.exit(0);
