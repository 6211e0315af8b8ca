import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadConfig } from '../src/config.js';
import { deployCommands } from '../src/deploy.js';
import { BotProcess } from '../src/local/harness/bot-process.js';
import { DiscordStandIn, type InteractionRecord } from '../src/local/standin/server.js';
import type { MessageState, UserState } from '../src/local/standin/state.js';

/**
 * Benchmark scenario "closed-poll Results" (issue 11 item 2), one backend at a time: a non-anonymous poll gets
 * `votes` votes through the stand-in and is closed; then `clicks` members press its Results button at the same
 * moment while other members vote on another, open poll. Measured for Parley and for the no-op baseline bot on the
 * same stand-in, in the same run:
 *   - how many Results clicks were acknowledged within Discord's 3 seconds (and answered with the final result),
 *   - how much the bot's resident memory grew while answering them (peak during the burst minus before it),
 *   - the p50/p99 receipt latency of the concurrent votes on the other poll.
 * Two bursts: plain members (who never see voters), then moderators (who see voters of this non-anonymous poll).
 */
export interface ClosedResultsOptions {
	readonly backend: string;
	readonly storeUrl: string;
	readonly votes: number;
	readonly clicks: number;
	readonly probes: number;
}

export interface ClosedResultsRow {
	readonly backend: string;
	readonly burst: 'members' | 'moderators';
	readonly bot: 'parley' | 'baseline';
	readonly clicks: number;
	readonly ackedWithin3s: number;
	/** Clicks whose answer carried the final result (Parley) or any answer (baseline). */
	readonly answered: number;
	/** null when fewer than 99 % of the clicks were acknowledged at all. */
	readonly clickP99Ms: number | null;
	readonly rssBeforeMb: number;
	readonly rssGrowthMb: number;
	readonly probes: number;
	/** Probe votes that got a receipt (within 3 s or late); the percentiles count the others as never answered. */
	readonly probeVotes: number;
	readonly probeP50Ms: number | null;
	readonly probeP99Ms: number | null;
}

const IN_FLIGHT = 64;
const PROBE_SPACING_MS = 15;
const ACK_WINDOW_MS = 3_000;

/** The p-th percentile of the records' acknowledgement latencies; null when it falls on one never acknowledged. */
function percentile(records: readonly InteractionRecord[], p: number): number | null {
	const sorted = records.map((record) => latency(record) ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
	const value = sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
	return value === undefined || value === Number.POSITIVE_INFINITY ? null : value;
}

function latency(record: InteractionRecord): number | null {
	return record.ack ? record.ack.at - record.createdAt : null;
}

function cardOf(standIn: DiscordStandIn, question: string): MessageState {
	const found = [...standIn.messages.values()]
		.filter((message) => message.visibleTo === null && JSON.stringify(message.embeds).includes(question))
		.at(-1);
	if (!found) throw new Error(`no card for ${question}`);
	return found;
}

function button(card: MessageState, label: string): string {
	for (const row of card.components as { components: { label?: string; custom_id?: string }[] }[]) {
		const found = row.components.find((component) => component.label === label);
		if (found?.custom_id) return found.custom_id;
	}
	throw new Error(`no ${label} button`);
}

async function castVotes(standIn: DiscordStandIn, card: MessageState, count: number, prefix: string): Promise<void> {
	const ids = [button(card, 'Yes'), button(card, 'No')];
	let next = 0;
	await Promise.all(
		Array.from({ length: IN_FLIGHT }, async () => {
			for (;;) {
				const index = next++;
				if (index >= count) return;
				await standIn.click(standIn.member(`${prefix}${index}`), card, ids[index % 3 === 0 ? 1 : 0] ?? '').acked;
			}
		}),
	);
}

/** Samples the bot's resident memory every 20 ms until stopped; returns the highest value seen, in MB. */
function rssSampler(bot: BotProcess): { stop: () => number } {
	let peak = bot.memory().rssMb;
	const timer = setInterval(() => {
		try {
			peak = Math.max(peak, bot.memory().rssMb);
		} catch {
			// The process may be gone at the very end.
		}
	}, 20);
	return {
		stop() {
			clearInterval(timer);
			return peak;
		},
	};
}

async function burst(
	standIn: DiscordStandIn,
	bot: BotProcess,
	target: { closed: MessageState; probe: MessageState },
	options: ClosedResultsOptions,
	clickers: readonly UserState[],
	probePrefix: string,
): Promise<Omit<ClosedResultsRow, 'backend' | 'burst' | 'bot'>> {
	const results = button(target.closed, 'Results');
	const yes = button(target.probe, 'Yes');
	// Let the bot go quiet first, so "before" is its resting memory.
	await new Promise((resolve) => setTimeout(resolve, 1_000));
	const rssBeforeMb = bot.memory().rssMb;
	const sampler = rssSampler(bot);
	const clicks = clickers.map((user) => standIn.click(user, target.closed, results));
	const probes: InteractionRecord[] = [];
	for (let index = 0; index < options.probes; index += 1) {
		probes.push(standIn.click(standIn.member(`${probePrefix}${index}`), target.probe, yes));
		await new Promise((resolve) => setTimeout(resolve, PROBE_SPACING_MS));
	}
	await Promise.all([...clicks, ...probes].map((record) => record.acked));
	await Promise.all(clicks.map((record) => standIn.settle(record, 20, 10_000)));
	const peakMb = sampler.stop();
	return {
		clicks: clicks.length,
		ackedWithin3s: clicks.filter((record) => !record.expired && (latency(record) ?? Infinity) <= ACK_WINDOW_MS).length,
		answered: clicks.filter((record) =>
			record.outputs.some((output) => JSON.stringify(output.message?.embeds ?? []).includes('Final result')),
		).length,
		clickP99Ms: percentile(clicks, 99),
		rssBeforeMb,
		rssGrowthMb: Math.max(0, peakMb - rssBeforeMb),
		probes: probes.length,
		probeVotes: probes.filter((record) => record.ack !== null).length,
		probeP50Ms: percentile(probes, 50),
		probeP99Ms: percentile(probes, 99),
	};
}

export async function runClosedResults(options: ClosedResultsOptions): Promise<ClosedResultsRow[]> {
	const standIn = await DiscordStandIn.start({ guilds: [{ name: 'Bench results' }] });
	const guild = standIn.defaultGuild;
	await deployCommands(
		loadConfig({ DISCORD_TOKEN: standIn.token, DISCORD_API_BASE: standIn.apiBase, STORE_URL: options.storeUrl }),
	);
	const run = `${options.backend}${Date.now().toString(36)}`;
	const mod = standIn.member('mod', guild);
	const rows: ClosedResultsRow[] = [];
	const members = (prefix: string) =>
		Array.from({ length: options.clicks }, (_, index) => standIn.member(`${prefix}${index}`, guild));
	const moderators = (prefix: string) =>
		Array.from({ length: options.clicks }, (_, index) => standIn.member(`${prefix}${index}`, guild, ['Moderator']));
	try {
		let bot = await BotProcess.start({ standIn, storeUrl: options.storeUrl });
		const start = async (question: string, anonymous: boolean) => {
			await standIn.settle(
				standIn.command(mod, {
					name: 'poll',
					subcommand: 'start',
					options: { question, style: 'yes-no', duration: '7d', anonymous: String(anonymous) },
				}),
			);
			return cardOf(standIn, question);
		};
		const closedQuestion = `${run} closed with ${options.votes} votes`;
		const closedCard = await start(closedQuestion, false);
		const probe = await start(`${run} probe poll`, true);
		await castVotes(standIn, closedCard, options.votes, `${run}v`);
		const pollId = /Poll (\w+)/.exec(JSON.stringify(closedCard.embeds))?.[1] ?? '';
		await standIn.settle(
			standIn.command(mod, { name: 'poll', subcommand: 'close', options: { poll: pollId } }),
			120,
			60_000,
		);
		const closed = cardOf(standIn, closedQuestion);
		if (!JSON.stringify(closed.embeds).includes('Closed:')) throw new Error('the benchmark poll did not close');
		const target = { closed, probe };

		for (const [name, entry] of [
			['parley', undefined],
			['baseline', 'bench/baseline-bot.ts'],
		] as const) {
			if (name === 'baseline') {
				await bot.kill('SIGTERM');
				bot = await BotProcess.start({ standIn, storeUrl: options.storeUrl, entry });
			}
			const tag = name === 'parley' ? 'P' : 'B';
			// Warm-up (JIT, connections, the Results path) for both bots alike; not measured.
			const warmUp = { ...options, clicks: 20, probes: 10 };
			await burst(standIn, bot, target, warmUp, members(`${run}${tag}w`).slice(0, 20), `${run}${tag}pw`);
			const plain = await burst(standIn, bot, target, options, members(`${run}${tag}m`), `${run}${tag}pm`);
			rows.push({ backend: options.backend, burst: 'members', bot: name, ...plain });
			const mods = await burst(standIn, bot, target, options, moderators(`${run}${tag}d`), `${run}${tag}pd`);
			rows.push({ backend: options.backend, burst: 'moderators', bot: name, ...mods });
		}
		await bot.kill('SIGTERM');
	} finally {
		await standIn.close();
	}
	return rows;
}

/** The scenario's table: Parley's figures next to the baseline's, per burst. */
export function closedResultsTable(rows: readonly ClosedResultsRow[], options: { votes: number }): string {
	const lines = [
		`| backend | ${options.votes.toLocaleString('en-US')}-vote closed poll, Results burst | bot | acked ≤ 3 s | with result | click p99 ms | RSS growth | votes on another poll: answered, p50 / p99 ms | p99 ratio to baseline |`,
		'|---|---|---|---|---|---|---|---|---|',
	];
	for (const row of rows) {
		const base = rows.find(
			(item) => item.bot === 'baseline' && item.backend === row.backend && item.burst === row.burst,
		);
		const ratio =
			row.bot !== 'parley' || !base?.probeP99Ms
				? '–'
				: row.probeP99Ms === null
					? '∞'
					: (row.probeP99Ms / base.probeP99Ms).toFixed(2);
		const ms = (value: number | null) => (value === null ? 'never' : String(value));
		lines.push(
			`| ${row.backend} | ${row.clicks} ${row.burst} | ${row.bot} | ${row.ackedWithin3s}/${row.clicks} | ${row.bot === 'parley' ? `${row.answered}/${row.clicks}` : '–'} | ${ms(row.clickP99Ms)} | ${row.rssGrowthMb} MB (from ${row.rssBeforeMb} MB) | ${row.probeVotes}/${row.probes}, ${ms(row.probeP50Ms)} / ${ms(row.probeP99Ms)} | ${ratio} |`,
		);
	}
	return lines.join('\n');
}

/**
 * `npm run bench` runs this scenario on every backend it benchmarks (`-- --scenario closed-results` runs only this),
 * prints its table and writes bench/results/closed-results.json.
 */
export async function runClosedResultsScenario(
	backends: readonly { name: string; url: string }[],
	quick: boolean,
): Promise<void> {
	const options = { votes: quick ? 2_000 : 10_000, clicks: 200, probes: quick ? 50 : 100 };
	const rows: ClosedResultsRow[] = [];
	for (const backend of backends) {
		process.stdout.write(`running closed-poll Results on ${backend.name}…\n`);
		// Its own SQLite file, so the vote scenarios start from the same empty store as before.
		const storeUrl =
			backend.name === 'sqlite' ? backend.url.replace(/\.sqlite$/, '-closed-results.sqlite') : backend.url;
		rows.push(...(await runClosedResults({ backend: backend.name, storeUrl, ...options })));
		if (backend.name === 'sqlite')
			for (const suffix of ['', '-wal', '-shm'])
				rmSync(`${storeUrl.slice('sqlite://'.length)}${suffix}`, { force: true });
	}
	const table = closedResultsTable(rows, options);
	process.stdout.write(
		`\n${table}\n\nRSS growth: the bot's peak resident memory during the burst minus its resting memory just before. Vote latency: receipts of votes on another, open poll sent every ${PROBE_SPACING_MS} ms during the burst.\n\n`,
	);
	mkdirSync('bench/results', { recursive: true });
	writeFileSync(
		'bench/results/closed-results.json',
		`${JSON.stringify({ measuredAt: new Date().toISOString(), machine: `${process.platform} ${process.arch}, node ${process.version}`, quick, ...options, rows, table }, null, 2)}\n`,
	);
}
