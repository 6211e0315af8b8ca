import { hostname } from 'node:os';
import type { Clock } from '../clock.js';
import { type PollMessage, renderPollCard } from '../discord/views/poll.js';
import {
	type CloseBy,
	closeDecision,
	discordTimestamp,
	liveCardRefreshMs,
	needsVoteKeyMigration,
	nextWakeDelay,
	POLL_SCHEMA_VERSION,
	type PollRecord,
	receiptText,
	type Tally,
	tally,
	tallyFromCounts,
	voteDecision,
} from '../domain/poll.js';
import type { Library } from '../library.js';
import type { Logger } from '../logger.js';
import type { ChartRenderer } from '../render/chart-pool.js';
import { StoreUnavailableError } from '../store/file-watch.js';
import { KeyedLock } from '../store/lock.js';
import type { OpenPollEntry, PollStore } from '../store/polls.js';
import { CloseQueue } from './close-queue.js';
import { type CloseSteps, claimClose, claimIsStale, finishClose, settleIndexes } from './closing.js';
import { MemberCounts } from './member-counts.js';
import { StoredVoters, sampleVoters, type VoterSample } from './results.js';

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
	/**
	 * The server's approximate member count, for turnout: the bot asks Discord (`GET /guilds/{id}?with_counts=true`);
	 * null when unknown. Called at most every few minutes per server (see `MemberCounts`); may throw.
	 */
	memberCount(guildId: string): Promise<number | null> | number | null;
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
	readonly sweepIntervalMs?: number;
	/** How many deadline closes run at once (default {@link DEFAULT_CONCURRENT_CLOSES}); the rest wait their turn. */
	readonly maxConcurrentCloses?: number;
}

/** Closed poll records kept in memory (about 1 KB each). */
const CLOSED_RECORDS_KEPT = 1_000;

/**
 * Enough to keep the store, Discord and the chart pool busy during a mass close, few enough that votes arriving
 * meanwhile find them nearly idle.
 */
export const DEFAULT_CONCURRENT_CLOSES = 4;

export type VoteOutcome = {
	readonly kind: 'recorded' | 'changed' | 'same' | 'refused' | 'failed';
	readonly text: string;
};

/** The answer to a poll button pressed outside the poll's own channel (only a forged custom_id can be). */
export const OTHER_CHANNEL_TEXT = 'This button belongs to a poll in another channel.';

/** What a member sees when the store fails under their vote; nothing was recorded, so trying again is safe. */
export const VOTE_FAILED_TEXT = "Parley couldn't record your vote — please try again in a moment.";

export type CloseOutcome =
	| { readonly kind: 'closed'; readonly poll: PollRecord; readonly tally: Tally }
	| { readonly kind: 'already-closed'; readonly poll: PollRecord }
	/** The store refused the first write of the close: nothing changed, the poll is open and takes votes. */
	| { readonly kind: 'not-closed'; readonly poll: PollRecord }
	/** Votes are closed (stored as `closing`), but a later step failed: the sweep finishes the close. */
	| { readonly kind: 'closing'; readonly poll: PollRecord }
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

/** What a Results answer shows: the tally, and voters when asked for (moderators of non-anonymous polls). */
export interface PollResults {
	readonly tally: Tally;
	readonly voters: VoterSample | null;
}

/** Per-poll state in this process: the cached record and every member's current choice. */
interface Runtime {
	poll: PollRecord;
	readonly votes: Map<string, number>;
	/** Set once the close is stored (the record is `closing`): new votes are refused. */
	closing: boolean;
	/**
	 * While a close waits for the votes in flight and writes its first record: new votes wait for this, then are
	 * recorded if that write failed (the poll is still open) or refused if it succeeded.
	 */
	claiming: Promise<void> | null;
	inFlight: number;
	idle: (() => void)[];
}

/** A card's refresh schedule: the card promises the next vote shows within `everyMs` of its last edit. */
interface RefreshState {
	/** Clock time of the last edit (−∞ before the first one in this process). */
	lastAt: number;
	/** The delay the last edit promised on the card (`liveCardRefreshMs` at the card's age then). */
	everyMs: number;
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
	private readonly memberCounts: MemberCounts;
	/** Open polls of the owned servers: loaded at start, kept current by create and close; the sweep reads this. */
	private readonly open = new Map<string, OpenPollEntry>();
	/** Polls whose close (or index update) failed part-way: the sweep repeats the close until it is done. */
	private readonly unfinished = new Set<string>();
	/** Polls whose close this process claimed: it finishes them whatever their claim says about time. */
	private readonly claimedHere = new Set<string>();
	/** Recently read or closed records of closed polls (final: never written again). */
	private readonly closedRecords = new Map<string, PollRecord>();
	private readonly closeSteps: CloseSteps;
	private readonly storedVoters: StoredVoters;

	constructor(private readonly options: PollServiceOptions) {
		this.memberCounts = new MemberCounts((guildId) => options.port.memberCount(guildId), options.clock, options.logger);
		this.closeSteps = {
			store: options.store,
			port: options.port,
			logger: options.logger,
			charts: options.charts,
			now: () => this.now,
			card: (poll, current, chartFile) => this.card(poll, current, chartFile),
		};
		this.storedVoters = new StoredVoters(options.store);
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
		this.sweepTimer = setInterval(() => {
			void this.sweep();
			void this.track(this.adoptStartedElsewhere());
		}, this.options.sweepIntervalMs ?? 30_000);
		this.sweepTimer.unref();
		this.unsubscribeClock = this.options.clock.onJump(() => {
			void this.sweep();
			this.rescheduleRefreshes();
		});
		this.options.logger.info({ openPolls: count }, 'poll scheduler started');
	}

	/**
	 * Takes over the open polls of servers that became this process's (at start, or a server that arrives later) and
	 * returns how many it had not known; polls it already schedules are left as they are. It checks the open-poll
	 * index against the poll records as it goes: an entry whose poll is closed (a close cut off before its index
	 * writes) has both indexes repaired, and an entry with no record at all is dropped.
	 */
	async adopt(guildIds: readonly string[]): Promise<number> {
		const { store, logger } = this.options;
		const entries = (await store.openPolls(guildIds)).filter((entry) => !this.open.has(entry.id));
		const records = await store.getPolls(entries.map((entry) => entry.id));
		let adopted = 0;
		for (const [index, entry] of entries.entries()) {
			const poll = records[index];
			if (!poll) {
				await store.removeOpenPoll(entry.guildId, entry.id).then(
					() => logger.warn({ pollId: entry.id }, 'dropped an open-poll index entry with no poll record'),
					(error: unknown) => logger.error({ err: error, pollId: entry.id }, 'could not drop a stale index entry'),
				);
				continue;
			}
			if (poll.status === 'closed') {
				await this.settleClosed(poll, true);
				continue;
			}
			adopted += 1;
			this.open.set(poll.id, { id: poll.id, guildId: poll.guildId, deadline: poll.deadline });
			if (poll.status === 'closing' || poll.deadline <= this.now) this.closeInBackground(poll.id);
			else this.arm(poll.id, poll.deadline);
			// An anonymous poll from before votes were hashed: re-key its votes now rather than at the first click.
			if (needsVoteKeyMigration(poll))
				void this.track(
					this.runtime(poll).catch((error: unknown) =>
						logger.error({ err: error, pollId: poll.id }, 'could not load an open poll'),
					),
				);
		}
		return adopted;
	}

	/**
	 * During a rolling restart the old and the new process of a shard run side by side for a moment, and a poll
	 * started in the old one is in the store's open index only: the new one would never close it. So the periodic
	 * sweep also re-reads the open index of the owned servers (one batched read per 500 servers).
	 */
	private async adoptStartedElsewhere(): Promise<void> {
		if (this.stopped) return;
		try {
			const count = await this.adopt(this.options.ownedGuildIds());
			if (count > 0) this.options.logger.info({ openPolls: count }, 'took over open polls started by another process');
		} catch (error) {
			this.options.logger.warn({ err: error }, 'could not re-read the open-poll index; the next sweep retries');
		}
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

	/**
	 * Closes every owned poll that is due, and finishes the closes that failed part-way. Runs periodically and
	 * whenever the clock jumps.
	 */
	async sweep(): Promise<void> {
		if (this.stopped) return;
		for (const pollId of this.unfinished) this.closeInBackground(pollId);
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
				return { poll: current, votes, closing: current.status !== 'open', claiming: null, inFlight: 0, idle: [] };
			})();
			this.runtimes.set(poll.id, runtime);
			runtime.catch(() => this.runtimes.delete(poll.id));
		}
		return runtime;
	}

	/**
	 * The poll, from this process's cache when it has it (every write to a poll happens in its owning process). A
	 * closed record never changes again, so the most recent ones are kept: Results on a closed poll reads nothing.
	 */
	async getPoll(pollId: string): Promise<PollRecord | undefined> {
		const cached = this.runtimes.get(pollId);
		if (cached) return (await cached).poll;
		const closed = this.closedRecords.get(pollId);
		if (closed) return closed;
		const poll = await this.options.store.getPoll(pollId);
		if (poll?.status === 'closed') this.rememberClosed(poll);
		return poll;
	}

	private rememberClosed(poll: PollRecord): void {
		this.closedRecords.delete(poll.id);
		this.closedRecords.set(poll.id, poll);
		// A Map keeps insertion order: the first key is the least recently remembered.
		for (const oldest of this.closedRecords.keys()) {
			if (this.closedRecords.size <= CLOSED_RECORDS_KEPT) break;
			this.closedRecords.delete(oldest);
		}
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
			// A new poll's turnout starts from today's member count, not one cached from an earlier poll.
			await this.memberCount(poll.guildId, { maxAgeMs: 0 });
			messageId = await this.options.port.post(poll.channelId, await this.card(poll, tally(poll, [])));
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
			channelId: poll.channelId,
			question: poll.question.slice(0, 100),
			status: 'open',
			createdAt: poll.createdAt,
			deadline: poll.deadline,
		});
		this.runtimes.set(
			poll.id,
			Promise.resolve({ poll: posted, votes: new Map(), closing: false, claiming: null, inFlight: 0, idle: [] }),
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
		/** The channel the vote button was pressed in: a genuine card is always in its poll's channel. */
		channelId: string;
		userId: string;
		roleIds: readonly string[];
		choice: number;
	}): Promise<VoteOutcome> {
		try {
			return await this.recordVote(input);
		} catch (error) {
			if (error instanceof StoreUnavailableError) {
				this.options.logger.error(
					{ pollId: input.pollId, reason: error.detail },
					'refused a vote: the store is unavailable',
				);
				return { kind: 'failed', text: error.message };
			}
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
		channelId: string;
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
		// A button copied onto a message elsewhere: its poll may live in a channel the member cannot see.
		if (poll.channelId !== input.channelId) return { kind: 'refused', text: OTHER_CHANNEL_TEXT };
		if (poll.status !== 'open') {
			// Refused without loading the poll's votes back into memory (a closing poll may be another owner's).
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
			// A close is being decided: its outcome decides this vote (refused once stored, recorded if it failed).
			while (runtime.claiming) await runtime.claiming;
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
				if (decision.kind === 'same') {
					// Nothing to write, but the receipt still promises the vote is kept: not if the store is gone.
					await this.options.store.assertWritable();
					return { kind: 'same', text: receiptText(runtime.poll, input.choice, input.choice) } as const;
				}
				const stored = await this.options.store.putVote(poll.id, voter, {
					schemaVersion: 1,
					choice: input.choice,
					at: this.now,
				});
				if (stored === 'closed') return await this.closedElsewhere(runtime);
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

	/**
	 * What "Results" shows. A closed poll answers from its stored final record, whatever its size: no vote is read
	 * unless `withVoters` (a moderator of a non-anonymous poll), and then only as many as the answer can show,
	 * streamed from the store. An open poll answers from the votes this process holds in memory.
	 */
	async results(poll: PollRecord, options: { readonly withVoters: boolean }): Promise<PollResults> {
		if (poll.status === 'closed' && poll.finalCounts) {
			const final = tallyFromCounts(poll, poll.finalCounts);
			const voters = options.withVoters ? await this.storedVoters.sample(poll, final.counts) : null;
			return { tally: final, voters };
		}
		const runtime = await this.runtime(poll);
		const current = tally(poll, runtime.votes.values());
		return { tally: current, voters: options.withVoters ? sampleVoters(runtime.votes, current.counts) : null };
	}

	/**
	 * The server's approximate member count, fetched from Discord and refreshed every few minutes; null if unknown.
	 * With `waitMs`, a slow fetch yields the last known count instead (for replies that must come within 3 s);
	 * `maxAgeMs` 0 asks Discord again whatever the cache holds.
	 */
	memberCount(guildId: string, options: { waitMs?: number; maxAgeMs?: number } = {}): Promise<number | null> {
		return this.memberCounts.get(guildId, options);
	}

	async card(poll: PollRecord, current: Tally, chartFile?: string): Promise<PollMessage> {
		const deal = poll.dealId ? (this.options.library.dealById.get(poll.dealId) ?? null) : null;
		const memberCount = await this.memberCount(poll.guildId);
		return renderPollCard(poll, {
			tally: current,
			now: this.now,
			deal,
			memberCount,
			...(chartFile ? { chartFile } : {}),
		});
	}

	/**
	 * Edits the card after a vote, for the poll's whole life, as often as the card promises: within 5 seconds while it
	 * is young, less often as it ages (`liveCardRefreshMs`; Discord limits edits of hour-old messages). Each edit
	 * says on the card when it was made and how soon the next vote will show; the delay counted from the last edit
	 * is the one that edit promised, so the card never says more than is kept.
	 */
	private scheduleRefresh(pollId: string): void {
		if (this.stopped) return;
		let state = this.refreshes.get(pollId);
		if (!state) {
			state = { lastAt: Number.NEGATIVE_INFINITY, everyMs: 0, timer: null };
			this.refreshes.set(pollId, state);
		}
		if (state.timer) return;
		this.armRefresh(pollId, state);
	}

	private armRefresh(pollId: string, state: RefreshState): void {
		const delay = Math.max(0, Math.min(state.lastAt + state.everyMs - this.now, state.everyMs));
		state.timer = setTimeout(() => {
			state.timer = null;
			state.lastAt = this.now;
			void this.track(this.refreshCard(pollId, state));
		}, delay);
		state.timer.unref();
	}

	/** After the clock jumps (the console's `advance`), pending edits are due by the new time, not the old. */
	private rescheduleRefreshes(): void {
		if (this.stopped) return;
		for (const [pollId, state] of this.refreshes) {
			if (!state.timer) continue;
			clearTimeout(state.timer);
			this.armRefresh(pollId, state);
		}
	}

	private async refreshCard(pollId: string, state: RefreshState): Promise<void> {
		const runtime = await this.runtimes.get(pollId);
		if (!runtime || runtime.closing || !runtime.poll.messageId) return;
		const { poll } = runtime;
		state.everyMs = liveCardRefreshMs(this.now - poll.createdAt);
		try {
			await this.options.port.edit(
				poll.channelId,
				poll.messageId as string,
				await this.card(poll, tally(poll, runtime.votes.values())),
			);
		} catch (error) {
			this.options.logger.warn(
				{ err: error, pollId },
				'could not update the live count on a poll card; the next vote retries',
			);
		}
	}

	/**
	 * Closes a poll exactly once, in the steps of `closing.ts`, under a per-poll lock: votes in flight finish first,
	 * then the `closing` record is stored before anything visible happens, so a crash or a failed write mid-close is
	 * finished by the sweep or the next start, and a second close is a no-op that repairs the indexes if they lag.
	 * If the store refuses that first write, nothing has changed: the poll stays fully open (`not-closed`).
	 */
	close(pollId: string, by: CloseBy): Promise<CloseOutcome> {
		return this.closeLock.run(pollId, async () => {
			const { logger } = this.options;
			const cached = await this.getPoll(pollId);
			// A closing poll may have been finished by the owner that claimed it since this process cached it.
			const poll = cached?.status === 'closing' ? await this.options.store.getPoll(pollId) : cached;
			if (!poll) {
				this.unfinished.delete(pollId);
				return { kind: 'not-found' } as const;
			}
			const decision = closeDecision(poll, this.now, by);
			if (decision.kind === 'refused') return { kind: 'refused', reason: decision.reason } as const;
			if (decision.kind === 'already-closed') {
				await this.settleClosed(poll, true);
				return { kind: 'already-closed', poll } as const;
			}
			// A close another live process claimed is its to finish; this one only takes over once the claimer is gone.
			if (poll.status === 'closing' && !this.claimedHere.has(pollId)) {
				const claim = await this.options.store.closeClaim(pollId);
				if (!claimIsStale(claim, { pid: process.pid, host: hostname(), nowMs: Date.now() })) {
					this.unfinished.add(pollId);
					return { kind: 'closing', poll } as const;
				}
			}
			let runtime: Runtime;
			let closing: PollRecord | null;
			try {
				runtime = await this.runtime(poll);
				closing = await this.claim(runtime, by);
			} catch (error) {
				logger.error({ err: error, pollId }, 'could not close a poll: the store failed before the close was stored');
				return { kind: 'not-closed', poll } as const;
			}
			if (closing === null) {
				// Another owner claimed it first (a rolling deploy): it finishes the close; this process lets go.
				await this.closedElsewhere(runtime);
				const stored = await this.options.store.getPoll(pollId);
				return stored ? ({ kind: 'already-closed', poll: stored } as const) : ({ kind: 'not-found' } as const);
			}
			let result: { poll: PollRecord; tally: Tally };
			try {
				result = await finishClose(this.closeSteps, closing, by);
			} catch (error) {
				this.unfinished.add(pollId);
				logger.error(
					{ err: error, pollId },
					'could not finish closing a poll; votes are refused and the sweep will finish it',
				);
				return { kind: 'closing', poll: closing } as const;
			}
			runtime.poll = result.poll;
			await this.settleClosed(result.poll, false);
			logger.info(
				{ pollId, guildId: result.poll.guildId, votes: result.tally.total, closedBy: result.poll.closedBy },
				'poll closed',
			);
			return { kind: 'closed', ...result } as const;
		});
	}

	/**
	 * Step 1 of a close, with this process's side of it: new votes wait while the votes in flight finish and the
	 * `closing` record is written; they are refused once it is stored, and recorded if the write failed.
	 */
	private async claim(runtime: Runtime, by: CloseBy): Promise<PollRecord | null> {
		let release = () => {};
		runtime.claiming = new Promise<void>((resolve) => {
			release = resolve;
		});
		try {
			if (runtime.inFlight > 0) await new Promise<void>((resolve) => runtime.idle.push(resolve));
			const closing = await claimClose(this.closeSteps, runtime.poll, by);
			if (closing === null) return null;
			if (closing !== runtime.poll) this.claimedHere.add(closing.id);
			runtime.poll = closing;
			runtime.closing = true;
			return closing;
		} finally {
			runtime.claiming = null;
			release();
		}
	}

	/**
	 * A closed poll leaves this process's schedule, and both indexes are brought in line with its record. If that
	 * fails, the sweep tries again. `repairing`: the close was already done, so any index change is a repair, logged.
	 */
	private async settleClosed(closed: PollRecord, repairing: boolean): Promise<void> {
		const timer = this.timers.get(closed.id);
		if (timer) clearTimeout(timer);
		this.timers.delete(closed.id);
		const refresh = this.refreshes.get(closed.id);
		if (refresh?.timer) clearTimeout(refresh.timer);
		this.refreshes.delete(closed.id);
		this.runtimes.delete(closed.id);
		this.claimedHere.delete(closed.id);
		this.rememberClosed(closed);
		try {
			const changed = await settleIndexes(this.options.store, closed);
			this.open.delete(closed.id);
			this.unfinished.delete(closed.id);
			if (changed && repairing)
				this.options.logger.warn(
					{ pollId: closed.id, guildId: closed.guildId },
					'repaired the indexes of a closed poll (an earlier close was cut off before updating them)',
				);
		} catch (error) {
			this.unfinished.add(closed.id);
			this.options.logger.error(
				{ err: error, pollId: closed.id },
				'could not update the poll indexes after a close; the sweep will finish it',
			);
		}
	}

	/**
	 * The store says another process claimed this poll's close (two owners overlapping during a rolling deploy):
	 * stop taking its votes, drop what this process cached and scheduled, and let the claimer finish the close.
	 */
	private async closedElsewhere(runtime: Runtime): Promise<VoteOutcome> {
		const pollId = runtime.poll.id;
		runtime.closing = true;
		this.runtimes.delete(pollId);
		this.open.delete(pollId);
		const timer = this.timers.get(pollId);
		if (timer) clearTimeout(timer);
		this.timers.delete(pollId);
		const refresh = this.refreshes.get(pollId);
		if (refresh?.timer) clearTimeout(refresh.timer);
		this.refreshes.delete(pollId);
		this.options.logger.info({ pollId }, 'another process closed this poll; stopped taking its votes here');
		const stored = (await this.options.store.getPoll(pollId)) ?? runtime.poll;
		// A poll that is not open is refused with the time it closed (the claimer stored it with the claim).
		const decision =
			stored.status === 'open'
				? null
				: voteDecision(stored, { now: this.now, choice: 0, previousChoice: null, memberRoleIds: [] });
		return {
			kind: 'refused',
			text:
				decision?.kind === 'refused'
					? decision.reason
					: `This poll closed at ${discordTimestamp(Math.min(this.now, stored.deadline), 'f')}.`,
		};
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
