import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config.js';
import { deployCommands } from '../../deploy.js';
import { createLogger } from '../../logger.js';
import { openStore } from '../../store/keyv.js';
import { createPollStore } from '../../store/polls.js';
import { openVoteKey } from '../../store/vote-key.js';
import { DiscordStandIn, type InteractionRecord } from '../standin/server.js';
import type { MessageState, UserState } from '../standin/state.js';
import { BotProcess } from './bot-process.js';

export interface CrashRound {
	readonly round: number;
	/** Receipts seen before the kill; the kill lands when this many have arrived. */
	readonly killAfterReceipts: number;
	readonly clicked: number;
	readonly receipted: number;
	/** Votes in the store after the restart and the close (receipted ones plus some whose receipt was cut off). */
	readonly counted: number;
	/** Receipted votes missing from the final tally, or counted with another choice. Must be 0. */
	readonly lost: number;
	/** Final tally total minus distinct stored voters. Must be 0. */
	readonly doubleCounted: number;
	/** Times the card was turned into a final result. Must be 1. */
	readonly closes: number;
	readonly restartMs: number;
}

export interface CrashCampaignResult {
	readonly rounds: readonly CrashRound[];
	readonly kills: number;
	readonly votesReceipted: number;
	readonly votesLost: number;
	readonly doubleCounted: number;
	readonly badCloses: number;
	readonly medianRestartMs: number;
}

export interface CrashCampaignOptions {
	readonly rounds: number;
	readonly votersPerRound: number;
	readonly seed?: number;
	readonly log?: (line: string) => void;
}

/** A small deterministic PRNG (mulberry32) so a failing kill point can be replayed from its seed. */
function random(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}

function findCard(standIn: DiscordStandIn, question: string): MessageState | undefined {
	return [...standIn.messages.values()]
		.filter((message) => message.visibleTo === null && JSON.stringify(message.embeds).includes(question))
		.at(-1);
}

function buttonId(message: MessageState, index: number): string {
	const rows = message.components as { components: { custom_id?: string }[] }[];
	const id = rows[0]?.components[index]?.custom_id;
	if (!id) throw new Error(`card has no vote button ${index}`);
	return id;
}

function receiptOf(record: InteractionRecord): string | null {
	const reply = record.outputs.find((output) => output.kind === 'reply' || output.kind === 'edit-original');
	const content = reply?.message?.content ?? '';
	return content.startsWith('Recorded:') ? content : null;
}

/**
 * Kills the bot with SIGKILL in the middle of vote bursts, restarts it on the same store, closes each poll, and
 * checks from the store that every vote whose receipt was sent is counted, once, and that the poll closed once.
 */
export async function runCrashCampaign(options: CrashCampaignOptions): Promise<CrashCampaignResult> {
	const log = options.log ?? (() => {});
	const next = random(options.seed ?? 20_261_122);
	const dir = mkdtempSync(join(tmpdir(), 'parley-crash-'));
	const storeUrl = `sqlite://${join(dir, 'crash.sqlite')}`;
	const standIn = await DiscordStandIn.start();
	const config = loadConfig({
		DISCORD_TOKEN: standIn.token,
		DISCORD_API_BASE: standIn.apiBase,
		DISCORD_GUILD_ID: standIn.defaultGuild.id,
		STORE_URL: storeUrl,
		LOG_LEVEL: 'warn',
	});
	await deployCommands(config);
	const mod = standIn.member('mod');
	const voters: UserState[] = Array.from({ length: options.votersPerRound }, (_, index) =>
		standIn.member(`voter${index}`),
	);
	let bot = await BotProcess.start({ standIn, storeUrl });
	const rounds: CrashRound[] = [];
	const polls: {
		id: string;
		question: string;
		expected: Map<string, number>;
		killAfterReceipts: number;
		clicked: number;
		receipted: number;
		restartMs: number;
	}[] = [];
	try {
		for (let round = 1; round <= options.rounds; round += 1) {
			const question = `Crash round ${round}: pressure or compromise?`;
			await standIn.settle(
				standIn.command(mod, { name: 'poll', subcommand: 'start', options: { question, duration: '7d' } }),
			);
			const card = findCard(standIn, question);
			if (!card) throw new Error(`round ${round}: no poll card`);
			const pollId = /Poll (\w+)/.exec(JSON.stringify(card.embeds))?.[1] ?? '';
			const killAfterReceipts = Math.floor(next() * options.votersPerRound);
			const choices = voters.map(() => Math.floor(next() * 3));
			let receipts = 0;
			const listener = () => {
				receipts += 1;
			};
			const records = voters.map((voter, index) => standIn.click(voter, card, buttonId(card, choices[index] ?? 0)));
			const byId = new Set(records.map((record) => record.id));
			const onOutput = (output: { kind: string; interactionId: string | null }) => {
				if (output.kind === 'reply' && output.interactionId && byId.has(output.interactionId)) listener();
			};
			standIn.on('output', onOutput);
			await standIn.waitFor(() => receipts >= killAfterReceipts, 20_000, 1);
			await bot.kill('SIGKILL');
			standIn.off('output', onOutput);
			const expected = new Map<string, number>();
			records.forEach((record, index) => {
				const voter = voters[index];
				if (voter && receiptOf(record)) expected.set(voter.id, choices[index] ?? 0);
			});
			const started = Date.now();
			bot = await BotProcess.start({ standIn, storeUrl });
			const restartMs = Date.now() - started;
			polls.push({
				id: pollId,
				question,
				expected,
				killAfterReceipts,
				clicked: records.length,
				receipted: expected.size,
				restartMs,
			});
			await standIn.settle(standIn.command(mod, { name: 'poll', subcommand: 'close', options: { poll: pollId } }));
			await standIn.settle(standIn.command(mod, { name: 'poll', subcommand: 'close', options: { poll: pollId } }));
			log(
				`round ${round}: killed after ${killAfterReceipts} receipts; ${expected.size} receipted; restart ${restartMs} ms`,
			);
		}
	} finally {
		await bot.kill('SIGTERM');
	}

	// Check against the store itself, after the bot has stopped.
	const silent = createLogger({ level: 'silent', secrets: [] });
	const store = await openStore(storeUrl, silent);
	const pollStore = createPollStore(store, await openVoteKey(store, {}, silent));
	try {
		for (const [index, poll] of polls.entries()) {
			const record = await pollStore.getPoll(poll.id);
			const votes = await pollStore.listVotes(poll.id);
			let lost = 0;
			for (const [userId, choice] of poll.expected)
				if (!record || votes.get(pollStore.voterKey(record, userId))?.choice !== choice) lost += 1;
			const finalTotal = (record?.finalCounts ?? []).reduce((sum, count) => sum + count, 0);
			const closes = standIn.outputs.filter(
				(output) =>
					output.kind === 'channel-edit' &&
					JSON.stringify(output.message?.embeds ?? []).includes(`Closed: ${poll.question}`),
			).length;
			rounds.push({
				round: index + 1,
				killAfterReceipts: poll.killAfterReceipts,
				clicked: poll.clicked,
				receipted: poll.receipted,
				counted: votes.size,
				lost: lost + (record?.status === 'closed' ? 0 : poll.receipted),
				doubleCounted: finalTotal - votes.size,
				closes,
				restartMs: poll.restartMs,
			});
		}
	} finally {
		await store.close();
		await standIn.close();
		rmSync(dir, { recursive: true, force: true });
	}
	const restarts = rounds.map((round) => round.restartMs).sort((a, b) => a - b);
	return {
		rounds,
		kills: rounds.length,
		votesReceipted: rounds.reduce((sum, round) => sum + round.receipted, 0),
		votesLost: rounds.reduce((sum, round) => sum + round.lost, 0),
		doubleCounted: rounds.reduce((sum, round) => sum + Math.abs(round.doubleCounted), 0),
		badCloses: rounds.filter((round) => round.closes !== 1).length,
		medianRestartMs: restarts[Math.floor(restarts.length / 2)] ?? 0,
	};
}
