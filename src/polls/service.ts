import type { Clock } from '../clock.js';
import { type PollMessage, renderPollCard } from '../discord/views/poll.js';
import {
	type CloseBy,
	closeDecision,
	closedRecord,
	closingRecord,
	discordTimestamp,
	needsVoteKeyMigration,
	nextWakeDelay,
	POLL_SCHEMA_VERSION,
	type PollRecord,
	receiptText,
	type Tally,
	tally,
	voteDecision,
} from '../domain/poll.js';
import type { Library } from '../library.js';
import type { Logger } from '../logger.js';
import type { ChartRenderer } from '../render/chart-pool.js';
import { KeyedLock } from '../store/lock.js';
import type { OpenPollEntry, PollStore } from '../store/polls.js';
import { CloseQueue } from './close-queue.js';

/** What the poll service needs from Discord; the bot implements it with the REST client, tests with fakes. */
export interface PollPort {
	/** Posts a message in a channel and returns its id. Rejects with Discord's error (e.g. 50013 Missing Permissions). */
	post(channelId: string, message: PollMessage): Promise<string>;
	edit(
		channelId: string,
		messageId: string,
		message: PollMessage,
		files?: readonly { name: string; data: Buffer }[],
	): Promise<void>;
	/** Members in the server, for turnout; null when unknown. */
	memberCount(guildId: string): number | null;
}

export interface PollServiceOptions {
	readonly store: PollStore;
	readonly clock: Clock;
	readonly logger: Logger;
	readonly port: PollPort;
	readonly library: Library;
	/** Draws the result chart of a closing poll off the event loop (a worker pool in the bot). */
	readonly charts: ChartRenderer;
	/**
	 * The servers this process owns (the gateway gives each shard process only its own). Their polls are written,
	 * scheduled and closed here only.
	 */
	readonly ownedGuildIds: () => readonly string[];
	/** At most one card edit per poll per this many ms (real time: Discord's rate limits are). */
	readonly refreshIntervalMs?: number;
	readonly sweepIntervalMs?: number;
	/** How many deadline closes run at once (default {@link DEFAULT_CONCURRENT_CLOSES}); the rest wait their turn. */
	readonly maxConcurrentCloses?: number;
}

/**
 * Enough to keep the store, Discord and the chart pool busy during a mass close, few enough that votes arriving
 * meanwhile find them nearly idle.
 */
export const DEFAULT_CONCURRENT_CLOSES = 4;

/** After this long the card stops changing per vote (Discord limits edits of old messages); "Results" stays live. */
export const LIVE_CARD_WINDOW_MS = 60 * 60 * 1000;

export type VoteOutcome = {
	readonly kind: 'recorded' | 'changed' | 'same' | 'refused' | 'failed';
	readonly text: string;
};

/** What a member sees when the store fails under their vote; nothing was recorded, so trying again is safe. */
export const VOTE_FAILED_TEXT = "Parley couldn't record your vote — please try again in a moment.";

export type CloseOutcome =
	| { readonly kind: 'closed'; readonly poll: PollRecord; readonly tally: Tally }
	| { readonly kind: 'already-closed'; readonly poll: PollRecord }
	| { readonly kind: 'refused'; readonly reason: string }
	| { readonly kind: 'not-found' };

export interface NewPoll {
	readonly id: string;
	readonly guildId: string;
	readonly channelId: string;
	readonly starterId: string;
	readonly question: string;
	readonly style: PollRecord['style'];
	readonly choices: readonly string[];
	readonly deadline: number;
	readonly anonymous: boolean;
	readonly hideResults: boolean;
	readonly voterRoleId: string | null;
	readonly dealId: string | null;
}

/** Per-poll state in this process: the cached record and every member's current choice. */
interface Runtime {
	poll: PollRecord;
	readonly votes: Map<string, number>;
	/** Set once a close has started: new votes are refused, votes in flight are awaited. */
	closing: boolean;
	inFlight: number;
	idle: (() => void)[];
}

interface RefreshState {
	lastAt: number;
	timer: NodeJS.Timeout | null;
}

export class PollService {
	private readonly runtimes = new Map<string, Promise<Runtime>>();
	private readonly timers = new Map<string, NodeJS.Timeout>();
	private readonly refreshes = new Map<string, RefreshState>();
	private readonly closeLock = new KeyedLock();
	private readonly voterLock = new KeyedLock();
	private readonly closeQueue: CloseQueue;
	private readonly background = new Set<Promise<unknown>>();
	private sweepTimer: NodeJS.Timeout | null = null;
	private unsubscribeClock: (() => void) | null = null;
	private stopped = false;
	private readonly refreshIntervalMs: number;
	/** Open polls of the owned servers: loaded at start, kept current by create and close; the sweep reads this. */
	private readonly open = new Map<string, OpenPollEntry>();

	constructor(private readonly options: PollServiceOptions) {
		this.refreshIntervalMs = options.refreshIntervalMs ?? 5_000;
		this.closeQueue = new CloseQueue(options.maxConcurrentCloses ?? DEFAULT_CONCURRENT_CLOSES);
	}

	private get now(): number {
		return this.options.clock.now();
	}

	// ------------------------------------------------------------------ lifecycle

	/** Rebuilds timers from the open-poll index, closes whatever fell due while the bot was down, starts the sweep. */
	async start(): Promise<void> {
		const count = await this.adopt(this.options.ownedGuildIds());
		void this.track(
			this.options.store.migrateClosedAnonymousPolls(this.now).then(
				(migrated) => {
					if (migrated > 0)
						this.options.logger.info({ polls: migrated }, 'closed anonymous polls now keep their votes under hashes');
				},
				(error: unknown) =>
					this.options.logger.error({ err: error }, 'could not re-key the votes of closed anonymous polls'),
			),
		);
		this.sweepTimer = setInterval(() => void this.sweep(), this.options.sweepIntervalMs ?? 30_000);
		this.sweepTimer.unref();
		this.unsubscribeClock = this.options.clock.onJump(() => void this.sweep());
		this.options.logger.info({ openPolls: count }, 'poll scheduler started');
	}

	/** Takes over the open polls of servers that became this process's (at start, or a server that arrives later). */
	async adopt(guildIds: readonly string[]): Promise<number> {
		const entries = await this.options.store.openPolls(guildIds);
		for (const entry of entries) {
			this.open.set(entry.id, entry);
			if (entry.deadline <= this.now) {
				this.closeInBackground(entry.id);
				continue;
			}
			const poll = await this.options.store.getPoll(entry.id);
			if (poll?.status === 'closing') this.closeInBackground(entry.id);
			else this.arm(entry.id, entry.deadline);
			// An anonymous poll from before votes were hashed: re-key its votes now rather than at the first click.
			if (poll && needsVoteKeyMigration(poll))
				void this.track(
					this.runtime(poll).catch((error: unknown) =>
						this.options.logger.error({ err: error, pollId: poll.id }, 'could not load an open poll'),
					),
				);
		}
		return entries.length;
	}

	/** Stops timers and waits for closes and card edits in flight. Votes in flight are awaited by the router's drain. */
	async stop(): Promise<void> {
		this.stopped = true;
		if (this.sweepTimer) clearInterval(this.sweepTimer);
		this.unsubscribeClock?.();
		for (const timer of this.timers.values()) clearTimeout(timer);
		this.timers.clear();
		for (const state of this.refreshes.values()) if (state.timer) clearTimeout(state.timer);
		await Promise.allSettled([...this.background]);
	}

	/** Resolves once the closes and card edits already under way have finished (the console's `advance` waits on it). */
	async settled(): Promise<void> {
		while (this.background.size > 0) await Promise.allSettled([...this.background]);
	}

	/** Closes every owned poll that is due. Runs periodically and whenever the clock jumps. */
	async sweep(): Promise<void> {
		if (this.stopped) return;
		for (const entry of this.open.values()) {
			if (entry.deadline <= this.now) this.closeInBackground(entry.id);
			else if (!this.timers.has(entry.id)) this.arm(entry.id, entry.deadline);
		}
	}

	private arm(pollId: string, deadline: number): void {
		const existing = this.timers.get(pollId);
		if (existing) clearTimeout(existing);
		// setTimeout cannot wait longer than 2^31−1 ms (24.8 days); longer waits re-arm when the timer fires.
		const timer = setTimeout(
			() => {
				this.timers.delete(pollId);
				if (this.now >= deadline) this.closeInBackground(pollId);
				else this.arm(pollId, deadline);
			},
			nextWakeDelay(deadline, this.now),
		);
		timer.unref();
		this.timers.set(pollId, timer);
	}

	private track<T>(task: Promise<T>): Promise<T> {
		this.background.add(task);
		void task.finally(() => this.background.delete(task)).catch(() => {});
		return task;
	}

	/**
	 * Queues a deadline close: at most `maxConcurrentCloses` run at once and each poll is queued once. Closes still
	 * waiting when the bot stops are left to the next start (their deadlines are in the store).
	 */
	private closeInBackground(pollId: string): void {
		if (this.stopped) return;
		const queued = this.closeQueue.add(pollId, async () => {
			if (this.stopped) return;
			await this.close(pollId, 'deadline').catch((error: unknown) => {
				this.options.logger.error({ err: error, pollId }, 'closing a poll failed; the sweep will retry');
			});
		});
		if (queued) void this.track(queued);
	}

	/** Deadline closes running and waiting, and the most that ran at once. */
	get closeStats(): { readonly running: number; readonly queued: number; readonly peak: number } {
		return this.closeQueue.stats;
	}

	// ------------------------------------------------------------------ polls

	private runtime(poll: PollRecord): Promise<Runtime> {
		let runtime = this.runtimes.get(poll.id);
		if (!runtime) {
			runtime = (async () => {
				// Before any vote is read or written here, so no vote can land under the old key meanwhile.
				const current = await this.options.store.migrateAnonymousVotes(poll);
				const stored = await this.options.store.listVotes(poll.id);
				const votes = new Map([...stored].map(([voter, vote]) => [voter, vote.choice]));
				return { poll: current, votes, closing: current.status !== 'open', inFlight: 0, idle: [] };
			})();
			this.runtimes.set(poll.id, runtime);
			runtime.catch(() => this.runtimes.delete(poll.id));
		}
		return runtime;
	}

	/** The poll, from this process's cache when it has it (every write to a poll happens in its owning process). */
	async getPoll(pollId: string): Promise<PollRecord | undefined> {
		const cached = this.runtimes.get(pollId);
		if (cached) return (await cached).poll;
		return this.options.store.getPoll(pollId);
	}

	/**
	 * Stores the poll, posts its card and indexes it. The record is saved first, so a crash can at worst leave a
	 * record without a card, never a card whose votes have nowhere to go.
	 */
	async create(input: NewPoll): Promise<PollRecord> {
		const poll: PollRecord = {
			schemaVersion: POLL_SCHEMA_VERSION,
			...input,
			choices: [...input.choices],
			messageId: null,
			createdAt: this.now,
			status: 'open',
			closedAt: null,
			closedBy: null,
			closedByUserId: null,
			finalCounts: null,
		};
		const { store } = this.options;
		await store.savePoll(poll);
		const entry = { id: poll.id, guildId: poll.guildId, deadline: poll.deadline };
		await store.addOpenPoll(entry);
		this.open.set(poll.id, entry);
		let messageId: string;
		try {
			messageId = await this.options.port.post(poll.channelId, this.card(poll, tally(poll, [])));
		} catch (error) {
			// Nothing was posted, so nobody can vote: retire the poll instead of leaving it scheduled.
			await store.savePoll({
				...poll,
				status: 'closed',
				closedAt: this.now,
				closedBy: 'moderator',
				closedByUserId: poll.starterId,
				finalCounts: poll.choices.map(() => 0),
			});
			await store.removeOpenPoll(poll.guildId, poll.id);
			this.open.delete(poll.id);
			throw error;
		}
		const posted = { ...poll, messageId };
		await store.savePoll(posted);
		await store.upsertGuildPoll(poll.guildId, {
			id: poll.id,
			question: poll.question.slice(0, 100),
			status: 'open',
			createdAt: poll.createdAt,
			deadline: poll.deadline,
		});
		this.runtimes.set(
			poll.id,
			Promise.resolve({ poll: posted, votes: new Map(), closing: false, inFlight: 0, idle: [] }),
		);
		this.arm(poll.id, poll.deadline);
		this.options.logger.info(
			{ pollId: poll.id, guildId: poll.guildId, deadline: poll.deadline, style: poll.style },
			'poll started',
		);
		return posted;
	}

	/**
	 * Records a member's vote. The vote is written to its own key before this resolves, so the receipt the caller
	 * sends afterwards is never a promise the store has not kept.
	 */
	async vote(input: {
		pollId: string;
		guildId: string | null;
		userId: string;
		roleIds: readonly string[];
		choice: number;
	}): Promise<VoteOutcome> {
		try {
			return await this.recordVote(input);
		} catch (error) {
			this.options.logger.error(
				{ err: error, pollId: input.pollId },
				'could not record a vote (store failure); the member was asked to try again',
			);
			return { kind: 'failed', text: VOTE_FAILED_TEXT };
		}
	}

	private async recordVote(input: {
		pollId: string;
		guildId: string | null;
		userId: string;
		roleIds: readonly string[];
		choice: number;
	}): Promise<VoteOutcome> {
		const poll = await this.getPoll(input.pollId);
		if (!poll)
			return {
				kind: 'refused',
				text: 'This poll no longer exists in Parley’s records. Ask a moderator to start a new one.',
			};
		if (poll.guildId !== input.guildId)
			return { kind: 'refused', text: 'This button belongs to a poll in another server.' };
		if (poll.status === 'closed') {
			// Refused without loading the poll's votes back into memory.
			const decision = voteDecision(poll, {
				now: this.now,
				choice: input.choice,
				previousChoice: null,
				memberRoleIds: input.roleIds,
			});
			if (decision.kind === 'refused') return { kind: 'refused', text: decision.reason };
		}
		const runtime = await this.runtime(poll);
		return this.voterLock.run(`${poll.id}:${input.userId}`, async () => {
			if (runtime.closing && runtime.poll.status === 'open') {
				return {
					kind: 'refused',
					text: `This poll closed at ${discordTimestamp(Math.min(this.now, runtime.poll.deadline), 'f')}.`,
				} as const;
			}
			runtime.inFlight += 1;
			try {
				const voter = this.options.store.voterKey(runtime.poll, input.userId);
				const previous = runtime.votes.get(voter) ?? null;
				const decision = voteDecision(runtime.poll, {
					now: this.now,
					choice: input.choice,
					previousChoice: previous,
					memberRoleIds: input.roleIds,
				});
				if (decision.kind === 'refused') return { kind: 'refused', text: decision.reason } as const;
				if (decision.kind === 'same')
					return { kind: 'same', text: receiptText(runtime.poll, input.choice, input.choice) } as const;
				await this.options.store.putVote(poll.id, voter, {
					schemaVersion: 1,
					choice: input.choice,
					at: this.now,
				});
				runtime.votes.set(voter, input.choice);
				this.scheduleRefresh(poll.id);
				return {
					kind: decision.changed ? 'changed' : 'recorded',
					text: receiptText(runtime.poll, input.choice, previous),
				} as const;
			} finally {
				runtime.inFlight -= 1;
				if (runtime.inFlight === 0) for (const resolve of runtime.idle.splice(0)) resolve();
			}
		});
	}

	/** The current tally: live votes for an open poll, the stored final counts for a closed one. */
	async currentTally(poll: PollRecord): Promise<{ tally: Tally; voters: Map<string, number> }> {
		if (poll.status === 'closed' && poll.finalCounts) {
			// Closed polls are not kept in memory; their votes are read back from the store when asked for.
			const stored = await this.options.store.listVotes(poll.id);
			const voters = new Map([...stored].map(([userId, vote]) => [userId, vote.choice]));
			const final = poll.finalCounts.flatMap((count, index) => Array<number>(count).fill(index));
			return { tally: tally(poll, final), voters };
		}
		const runtime = await this.runtime(poll);
		return { tally: tally(poll, runtime.votes.values()), voters: runtime.votes };
	}

	card(poll: PollRecord, current: Tally, chartFile?: string): PollMessage {
		const deal = poll.dealId ? (this.options.library.dealById.get(poll.dealId) ?? null) : null;
		return renderPollCard(poll, {
			tally: current,
			now: this.now,
			deal,
			memberCount: this.options.port.memberCount(poll.guildId),
			...(chartFile ? { chartFile } : {}),
		});
	}

	/** At most one card edit per poll per interval; the last edit always shows the latest count. */
	private scheduleRefresh(pollId: string): void {
		if (this.stopped) return;
		const state = this.refreshes.get(pollId) ?? { lastAt: 0, timer: null };
		this.refreshes.set(pollId, state);
		if (state.timer) return;
		const delay = Math.max(0, state.lastAt + this.refreshIntervalMs - Date.now());
		state.timer = setTimeout(() => {
			state.timer = null;
			state.lastAt = Date.now();
			void this.track(this.refreshCard(pollId));
		}, delay);
		state.timer.unref();
	}

	private async refreshCard(pollId: string): Promise<void> {
		const runtime = await this.runtimes.get(pollId);
		if (!runtime || runtime.closing || !runtime.poll.messageId) return;
		const { poll } = runtime;
		if (this.now - poll.createdAt > LIVE_CARD_WINDOW_MS) return;
		try {
			await this.options.port.edit(
				poll.channelId,
				poll.messageId as string,
				this.card(poll, tally(poll, runtime.votes.values())),
			);
		} catch (error) {
			this.options.logger.warn(
				{ err: error, pollId },
				'could not update the live count on a poll card; the next vote retries',
			);
		}
	}

	/**
	 * Closes a poll exactly once: the decision and the record go through a per-poll lock; `closing` is stored
	 * before anything visible happens, so a crash mid-close finishes the same close at the next start, and a
	 * second close is a no-op. Votes in flight finish first; the final tally is read from the vote keys.
	 */
	close(pollId: string, by: CloseBy): Promise<CloseOutcome> {
		return this.closeLock.run(pollId, async () => {
			const poll = await this.getPoll(pollId);
			if (!poll) return { kind: 'not-found' } as const;
			const decision = closeDecision(poll, this.now, by);
			if (decision.kind === 'refused') return { kind: 'refused', reason: decision.reason } as const;
			if (decision.kind === 'already-closed') return { kind: 'already-closed', poll } as const;
			const { store, logger } = this.options;
			const runtime = await this.runtime(poll);
			runtime.closing = true;
			if (runtime.inFlight > 0) await new Promise<void>((resolve) => runtime.idle.push(resolve));
			const loaded = runtime.poll;
			const closing = loaded.status === 'closing' ? loaded : closingRecord(loaded, this.now, by);
			if (closing !== loaded) await store.savePoll(closing);
			runtime.poll = closing;

			const votes = await store.listVotes(pollId);
			const final = tally(
				closing,
				[...votes.values()].map((vote) => vote.choice),
			);
			const closed = closedRecord(closing, this.now, by, final.counts);
			if (closed.messageId) {
				const chartFile = `poll-${closed.id}-results.png`;
				let png: Buffer | null = null;
				try {
					// Drawn by the chart pool: this close waits for its picture, votes on other polls do not.
					png = await this.options.charts.pollChart({
						question: closed.question,
						choices: closed.choices.map((label, index) => ({ label, count: final.counts[index] ?? 0 })),
						totalVotes: final.total,
						closedAt: `Closed ${new Date(closed.closedAt ?? this.now).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
						scale: final.scale
							? { mean: final.scale.mean, minLabel: closed.choices[0] ?? '', maxLabel: closed.choices.at(-1) ?? '' }
							: null,
					});
				} catch (error) {
					logger.warn({ err: error, pollId }, 'could not draw the result chart; the final card goes out without it');
				}
				try {
					await this.options.port.edit(
						closed.channelId,
						closed.messageId,
						this.card(closed, final, png ? chartFile : undefined),
						png ? [{ name: chartFile, data: png }] : undefined,
					);
				} catch (error) {
					logger.warn(
						{ err: error, pollId },
						'could not put the final result on the poll card; the result is stored and shown by /poll results',
					);
				}
			}
			await store.savePoll(closed);
			runtime.poll = closed;
			await store.removeOpenPoll(closed.guildId, pollId);
			this.open.delete(pollId);
			await store.upsertGuildPoll(closed.guildId, {
				id: closed.id,
				question: closed.question.slice(0, 100),
				status: 'closed',
				createdAt: closed.createdAt,
				deadline: closed.deadline,
			});
			const timer = this.timers.get(pollId);
			if (timer) clearTimeout(timer);
			this.timers.delete(pollId);
			const refresh = this.refreshes.get(pollId);
			if (refresh?.timer) clearTimeout(refresh.timer);
			this.refreshes.delete(pollId);
			this.runtimes.delete(pollId);
			logger.info({ pollId, guildId: closed.guildId, votes: final.total, closedBy: closed.closedBy }, 'poll closed');
			return { kind: 'closed', poll: closed, tally: final } as const;
		});
	}

	/** Open polls of a server with their vote counts, soonest deadline first. */
	async openPollsOf(guildId: string): Promise<{ poll: PollRecord; total: number }[]> {
		const entries = (await this.options.store.guildPolls(guildId)).filter((entry) => entry.status !== 'closed');
		const result: { poll: PollRecord; total: number }[] = [];
		for (const entry of entries) {
			const poll = await this.getPoll(entry.id);
			if (!poll || poll.status === 'closed') continue;
			result.push({ poll, total: (await this.runtime(poll)).votes.size });
		}
		return result.sort((a, b) => a.poll.deadline - b.poll.deadline);
	}

	recentPolls(guildId: string) {
		return this.options.store.guildPolls(guildId);
	}
}
