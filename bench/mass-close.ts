import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { deployCommands } from '../src/deploy.js';
import { type PollMessage, renderPollCard } from '../src/discord/views/poll.js';
import { type PollRecord, tally } from '../src/domain/poll.js';
import { BotProcess } from '../src/local/harness/bot-process.js';
import { DiscordStandIn, type InteractionRecord } from '../src/local/standin/server.js';
import type { GuildState, MessageState } from '../src/local/standin/state.js';
import { createLogger } from '../src/logger.js';
import { openStore } from '../src/store/keyv.js';
import { createPollStore } from '../src/store/polls.js';
import { openVoteKey } from '../src/store/vote-key.js';

/**
 * `npm run bench:mass-close`: the bot comes back after downtime to find POLLS polls past their deadline, and members
 * keep voting on another poll meanwhile. Reports how many of those probe votes were acknowledged within Discord's
 * 3 seconds and their latency, how long the mass close took, and whether every poll was closed exactly once; then the
 * same probes against the no-op baseline bot (bench/baseline-bot.ts) in the same run. Not a test: it prints a table
 * and writes bench/results/mass-close.json.
 *   --polls N        due polls (default 1000)
 *   --rate N         probe votes per second (default 20)
 *   --votes N        votes stored on each due poll (default 5)
 *   --entry PATH     the bot to measure (default src/main.ts; e.g. an older checkout's src/main.ts to compare)
 *   --max-seconds N  stop waiting for the closes after this long (default 300)
 * The due polls are stored as schema-1 polls that show voters (a format every version reads), in 10 servers.
 */
const { values } = parseArgs({
	options: {
		polls: { type: 'string', default: '1000' },
		rate: { type: 'string', default: '20' },
		votes: { type: 'string', default: '5' },
		entry: { type: 'string' },
		'max-seconds': { type: 'string', default: '300' },
	},
});
const POLLS = Number(values.polls);
const RATE = Number(values.rate);
const VOTES_PER_POLL = Number(values.votes);
const MAX_SECONDS = Number(values['max-seconds']);
const GUILDS = 10;
const ACK_WINDOW_MS = 3_000;

interface ProbeFigures {
	readonly offered: number;
	readonly withinWindow: number;
	readonly late: number;
	readonly unanswered: number;
	readonly p50: number;
	readonly p99: number;
	readonly max: number;
}

function percentile(sorted: readonly number[], p: number): number {
	if (sorted.length === 0) return 0;
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function figures(records: readonly InteractionRecord[]): Promise<ProbeFigures> {
	await Promise.all(records.map((record) => record.acked));
	const latencies = records
		.filter((record) => record.ack !== null)
		.map((record) => (record.ack?.at ?? 0) - record.createdAt)
		.sort((a, b) => a - b);
	const withinWindow = latencies.filter((ms) => ms <= ACK_WINDOW_MS).length;
	return {
		offered: records.length,
		withinWindow,
		late: latencies.length - withinWindow,
		unanswered: records.length - latencies.length,
		p50: percentile(latencies, 50),
		p99: percentile(latencies, 99),
		max: latencies.at(-1) ?? 0,
	};
}

/** Clicks at a fixed rate, each by a new member, until `until()` says stop. */
async function probe(
	standIn: DiscordStandIn,
	guild: GuildState,
	card: MessageState,
	customId: string,
	prefix: string,
	until: () => boolean,
): Promise<InteractionRecord[]> {
	const records: InteractionRecord[] = [];
	const started = Date.now();
	await new Promise<void>((resolve) => {
		const timer = setInterval(() => {
			const due = Math.floor(((Date.now() - started) / 1000) * RATE);
			while (records.length < due)
				records.push(standIn.click(standIn.member(`${prefix}${records.length}`, guild), card, customId));
			if (until()) {
				clearInterval(timer);
				resolve();
			}
		}, 10);
	});
	return records;
}

/** Posts a poll card as the bot would have before the downtime. */
async function postCard(standIn: DiscordStandIn, channelId: string, message: PollMessage): Promise<string> {
	const response = await fetch(`${standIn.apiBase}/v10/channels/${channelId}/messages`, {
		method: 'POST',
		headers: { authorization: `Bot ${standIn.token}`, 'content-type': 'application/json' },
		body: JSON.stringify({ embeds: message.embeds, components: message.components, allowed_mentions: { parse: [] } }),
	});
	if (!response.ok) throw new Error(`posting a card failed: ${response.status} ${await response.text()}`);
	return ((await response.json()) as { id: string }).id;
}

function pollRecord(id: string, guild: GuildState, starterId: string, now: number, deadline: number): PollRecord {
	const channelId = [...guild.channels.keys()][0] ?? '';
	return {
		schemaVersion: 1,
		id,
		guildId: guild.id,
		channelId,
		messageId: null,
		starterId,
		question: `Maximum pressure or compromise? (mass-close poll ${id})`,
		style: 'pressure-compromise',
		choices: ['Pressure', 'Compromise', 'Undecided'],
		createdAt: now - 2 * 3_600_000,
		deadline,
		anonymous: false,
		hideResults: false,
		voterRoleId: null,
		dealId: null,
		status: 'open',
		closedAt: null,
		closedBy: null,
		closedByUserId: null,
		finalCounts: null,
	};
}

const dir = join(tmpdir(), `parley-mass-close-${process.pid}`);
mkdirSync(dir, { recursive: true });
const storeUrl = `sqlite://${join(dir, 'mass-close.sqlite')}`;
const standIn = await DiscordStandIn.start({
	guilds: Array.from({ length: GUILDS }, (_, index) => ({ name: `Mass close ${index}` })),
});
const run = Date.now().toString(36);
const result: Record<string, unknown> = {};
try {
	await deployCommands(
		loadConfig({ DISCORD_TOKEN: standIn.token, DISCORD_API_BASE: standIn.apiBase, STORE_URL: storeUrl }),
	);
	const guilds = [...standIn.guilds.values()];
	const main = guilds[0] as GuildState;
	const starterId = standIn.member('mod', main).id;

	// The store as the bot left it before going down: POLLS polls whose deadline has passed, one poll still open.
	process.stdout.write(`seeding ${POLLS} due polls with ${VOTES_PER_POLL} votes each…\n`);
	const silent = createLogger({ level: 'silent', secrets: [] });
	const store = await openStore(storeUrl, silent);
	const polls = createPollStore(store, await openVoteKey(store, {}, silent));
	const now = Date.now();
	const seed = async (id: string, guild: GuildState, deadline: number, votes: number) => {
		const record = pollRecord(id, guild, starterId, now, deadline);
		const messageId = await postCard(
			standIn,
			record.channelId,
			renderPollCard(record, { tally: tally(record, []), now, deal: null, memberCount: null }),
		);
		const posted = { ...record, messageId };
		await polls.savePoll(posted);
		for (let voter = 0; voter < votes; voter++) {
			const userId = standIn.member(`seed${voter}`, guild).id;
			await polls.putVote(id, userId, { schemaVersion: 1, choice: voter % 3, at: now - 3_600_000 });
		}
		await polls.addOpenPoll({ id, guildId: guild.id, deadline });
		await polls.upsertGuildPoll(guild.id, {
			id,
			question: record.question.slice(0, 100),
			status: 'open',
			createdAt: record.createdAt,
			deadline,
		});
		return posted;
	};
	const due: PollRecord[] = [];
	for (let index = 0; index < POLLS; index++)
		due.push(await seed(`m${run}${index}`, guilds[index % GUILDS] as GuildState, now - 60_000, VOTES_PER_POLL));
	const probePoll = await seed(`p${run}`, main, now + 7 * 86_400_000, 0);
	await store.close();
	const probeCard = standIn.messages.get(probePoll.messageId ?? '');
	if (!probeCard) throw new Error('the probe card was not posted');
	const probeButton = (probeCard.components as { components: { custom_id: string }[] }[])[0]?.components[0]?.custom_id;
	const dueCards = due.map((poll) => poll.messageId ?? '');
	const closedCards = () =>
		dueCards.filter((id) => {
			const title = (standIn.messages.get(id)?.embeds as { title?: string }[] | undefined)?.[0]?.title ?? '';
			return title.startsWith('Closed: ');
		}).length;

	// Parley starts and finds them all due; members vote on the open poll at RATE per second meanwhile.
	process.stdout.write('starting Parley; probing while it closes them…\n');
	const bot = await BotProcess.start({ standIn, storeUrl, ...(values.entry ? { entry: values.entry } : {}) });
	const started = Date.now();
	let closedAt = 0;
	const parleyProbes = await probe(standIn, main, probeCard, probeButton ?? '', `probe${run}p`, () => {
		if (closedAt === 0 && closedCards() === POLLS) closedAt = Date.now();
		return closedAt !== 0 || Date.now() - started > MAX_SECONDS * 1000;
	});
	const closeSeconds = ((closedAt || Date.now()) - started) / 1000;
	const parley = await figures(parleyProbes);
	const peakRssMb = bot.memory().peakRssMb;
	await bot.kill('SIGTERM');
	const closeEdits = new Map<string, number>();
	for (const output of standIn.outputs)
		if (output.kind === 'channel-edit' && output.message && JSON.stringify(output.message.embeds).includes('Closed: '))
			closeEdits.set(output.message.id, (closeEdits.get(output.message.id) ?? 0) + 1);
	const withChart = dueCards.filter((id) => (standIn.messages.get(id)?.attachments.length ?? 0) > 0).length;
	const finalCardTwice = [...closeEdits.values()].filter((count) => count > 1).length;

	// The no-op bot under the same probes for as long (capped at 60 s): what the machine and discord.js cost alone.
	process.stdout.write('probing the no-op baseline bot…\n');
	const baselineBot = await BotProcess.start({ standIn, storeUrl, entry: 'bench/baseline-bot.ts' });
	const baselineStarted = Date.now();
	const baselineSeconds = Math.min(closeSeconds, 60);
	const baseline = await figures(
		await probe(
			standIn,
			main,
			probeCard,
			probeButton ?? '',
			`probe${run}b`,
			() => Date.now() - baselineStarted > baselineSeconds * 1000,
		),
	);
	await baselineBot.kill('SIGTERM');

	const row = (name: string, f: ProbeFigures) =>
		`| ${name} | ${f.offered} | ${f.withinWindow} (${((100 * f.withinWindow) / Math.max(1, f.offered)).toFixed(1)}%) | ${f.late} | ${f.unanswered} | ${f.p50} | ${f.p99} | ${f.max} |`;
	const table = [
		'| bot | probe votes | acknowledged ≤ 3 s | late | unanswered | p50 ms | p99 ms | max ms |',
		'|---|---|---|---|---|---|---|---|',
		row(`Parley, ${POLLS} polls closing`, parley),
		row('no-op baseline', baseline),
	].join('\n');
	const ratio = baseline.p99 > 0 ? parley.p99 / baseline.p99 : null;
	const summary = [
		`${closedCards()} of ${POLLS} polls closed in ${closeSeconds.toFixed(1)} s (${(POLLS / closeSeconds).toFixed(1)}/s), ${withChart} with a chart, ${finalCardTwice} final cards sent twice; peak RSS ${peakRssMb} MB.`,
		`Probe p99 ${parley.p99} ms vs baseline ${baseline.p99} ms (ratio ${ratio === null ? '–' : ratio.toFixed(2)}); target p99 < 300 ms, every probe within 3 s.`,
	].join('\n');
	process.stdout.write(`\n${table}\n\n${summary}\n`);
	Object.assign(result, {
		measuredAt: new Date().toISOString(),
		machine: `${process.platform} ${process.arch}, node ${process.version}`,
		entry: values.entry ?? 'src/main.ts',
		polls: POLLS,
		votesPerPoll: VOTES_PER_POLL,
		probeRatePerSecond: RATE,
		closeSeconds: Math.round(closeSeconds * 10) / 10,
		closed: closedCards(),
		withChart,
		finalCardTwice,
		peakRssMb,
		parley,
		baseline,
		p99RatioToBaseline: ratio === null ? null : Math.round(ratio * 100) / 100,
		table,
	});
} finally {
	await standIn.close();
	rmSync(dir, { recursive: true, force: true });
}
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/mass-close.json', `${JSON.stringify(result, null, 2)}\n`);
process.exit(0);
