import type { PollMessage } from '../discord/views/poll.js';
import { type CloseBy, closedRecord, closingRecord, type PollRecord, type Tally, tally } from '../domain/poll.js';
import type { Logger } from '../logger.js';
import type { ChartRenderer } from '../render/chart-pool.js';
import type { CloseClaim, GuildPollEntry, PollStore } from '../store/polls.js';
import type { PollPort } from './service.js';

/**
 * Closing a poll, as three steps that are each safe to repeat. PollService runs them under its per-poll lock, after
 * the votes in flight have finished:
 *
 *   1. `claimClose`     the one write that decides the close: the record becomes `closing`. Until it succeeds nothing
 *                       has changed, so a failure leaves the poll fully open (votes, list, card and store agree).
 *   2. `finishClose`    the final tally from the vote keys, the final card, then the closed record.
 *   3. `settleIndexes`  the server index, then the open-poll index.
 *
 * A failure after step 1 leaves the poll `closing` (votes refused, the store says so): the sweep repeats steps 2–3
 * until they succeed, and so does the next start. A failure in step 3 leaves the poll in the open-poll index, which
 * is written last for that reason: startup, the sweep and any later close of the poll find it there and repair both.
 */
export interface CloseSteps {
	readonly store: PollStore;
	readonly port: PollPort;
	readonly logger: Logger;
	/** Draws the result chart in the worker pool, off the event loop. */
	readonly charts: ChartRenderer;
	readonly now: () => number;
	/** The poll card for a record and tally (the final card when the record is closed). */
	readonly card: (poll: PollRecord, current: Tally, chartFile?: string) => PollMessage | Promise<PollMessage>;
}

/** Step 1: stores the `closing` record and returns it. A poll already closing is returned as it is. */
export async function claimClose(steps: CloseSteps, poll: PollRecord, by: CloseBy): Promise<PollRecord | null> {
	if (poll.status !== 'open') return poll;
	const closing = closingRecord(poll, steps.now(), by);
	// Atomic in the store: of two owners overlapping (a rolling deploy), one gets the claim; the other gets null.
	return (await steps.store.claimClose(closing)) ? closing : null;
}

/** How long a close claimed by a live process elsewhere is left to it before another owner finishes it. */
export const CLOSE_LEASE_MS = 60_000;

/**
 * Whether a `closing` poll this process did not claim may be finished here: yes when its claimer is gone — a process
 * on this host that no longer runs (this process's own earlier life after a crash, or SQLite's only owner), or a claim
 * on another host older than the lease — so a close is finished once, by its claimer while it lives.
 */
export function claimIsStale(
	claim: CloseClaim | undefined,
	self: { pid: number; host: string; nowMs: number },
): boolean {
	if (!claim) return true;
	if (claim.host === self.host) return claim.pid === self.pid || !processRuns(claim.pid);
	return claim.claimedAtMs === undefined || self.nowMs - claim.claimedAtMs > CLOSE_LEASE_MS;
}

function processRuns(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		// EPERM: it runs, under another user.
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Step 2: counts the stored votes, puts the result on the card, stores the closed record. */
export async function finishClose(
	steps: CloseSteps,
	closing: PollRecord,
	by: CloseBy,
): Promise<{ poll: PollRecord; tally: Tally }> {
	const votes = await steps.store.listVotes(closing.id);
	const final = tally(
		closing,
		[...votes.values()].map((vote) => vote.choice),
	);
	const closed = closedRecord(closing, steps.now(), by, final.counts);
	await postFinalCard(steps, closed, final);
	await steps.store.savePoll(closed);
	return { poll: closed, tally: final };
}

/**
 * Edits the card into the final result with its chart. At least once: a close repeated after a crash or a failed
 * write edits it again, with the same result. A card that cannot be edited is logged; the result stays in the record.
 */
async function postFinalCard(steps: CloseSteps, closed: PollRecord, final: Tally): Promise<void> {
	if (!closed.messageId) return;
	const chartFile = `poll-${closed.id}-results.png`;
	let png: Buffer | null = null;
	try {
		// Drawn by the chart pool: this close waits for its picture, votes on other polls do not.
		png = await steps.charts.pollChart({
			question: closed.question,
			choices: closed.choices.map((label, index) => ({ label, count: final.counts[index] ?? 0 })),
			totalVotes: final.total,
			closedAt: `Closed ${new Date(closed.closedAt ?? steps.now()).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
			scale: final.scale
				? { mean: final.scale.mean, minLabel: closed.choices[0] ?? '', maxLabel: closed.choices.at(-1) ?? '' }
				: null,
		});
	} catch (error) {
		steps.logger.warn(
			{ err: error, pollId: closed.id },
			'could not draw the result chart; the final card goes out without it',
		);
	}
	try {
		await steps.port.edit(
			closed.channelId,
			closed.messageId,
			await steps.card(closed, final, png ? chartFile : undefined),
			png ? [{ name: chartFile, data: png }] : undefined,
		);
	} catch (error) {
		steps.logger.warn(
			{ err: error, pollId: closed.id },
			'could not put the final result on the poll card; the result is stored and shown by /poll results',
		);
	}
}

function guildEntry(poll: PollRecord): GuildPollEntry {
	return {
		id: poll.id,
		channelId: poll.channelId,
		question: poll.question.slice(0, 100),
		status: poll.status,
		createdAt: poll.createdAt,
		deadline: poll.deadline,
	};
}

/**
 * Step 3: makes both indexes agree with a closed record — the server index first, the open-poll index last — and
 * says whether either had to change. Only writes what is out of date, so repeating it is cheap.
 */
export async function settleIndexes(store: PollStore, closed: PollRecord): Promise<boolean> {
	const listed = (await store.guildPolls(closed.guildId)).find((entry) => entry.id === closed.id);
	const relist = listed?.status !== 'closed';
	if (relist) await store.upsertGuildPoll(closed.guildId, guildEntry(closed));
	const unlisted = await store.removeOpenPoll(closed.guildId, closed.id);
	return relist || unlisted;
}
