import type { Clock } from '../clock.js';
import { type PollMessage, renderPollCard } from '../discord/views/poll.js';
import {
	type CloseBy,
	closeDecision,
	closedRecord,
	closingRecord,
	discordTimestamp,
	liveCardRefreshMs,
	nextWakeDelay,
	type PollRecord,
	receiptText,
	type Tally,
	tally,
	voteDecision,
} from '../domain/poll.js';
import type { Library } from '../library.js';
import type { Logger } from '../logger.js';
import { renderPollChartPng } from '../render/poll-chart.js';
import { KeyedLock } from '../store/lock.js';
import type { OpenPollEntry, PollStore } from '../store/polls.js';
import { MemberCounts } from './member-counts.js';

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
	/**
	 * The servers this process owns (the gateway gives each shard process only its own). Their polls are written,
	 * scheduled and closed here only.
	 */
	readonly ownedGuildIds: () => readonly string[];
	readonly sweepIntervalMs?: number;
}

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
	private readonly background = new Set<Promise<unknown>>();
	private sweepTimer: NodeJS.Timeout | null = null;
	private unsubscribeClock: (() => void) | null = null;
	private stopped = false;
	private readonly memberCounts: MemberCounts;
	/** Open polls of the owned servers: loaded at start, kept current by create and close; the sweep reads this. */
	private readonly open = new Map<string, OpenPollEntry>();

	constructor(private readonly options: PollServiceOptions) {
		this.memberCounts = new MemberCounts((guildId) => options.port.memberCount(guildId), options.clock, options.logger);
	}

	private get now(): number {
		return this.options.clock.now();
	}

	// ------------------------------------------------------------------ lifecycle

	/** Rebuilds timers from the open-poll index, closes whatever fell due while the bot was down, starts the sweep. */
	async start(): Promise<void> {
		const count = await this.adopt(this.options.ownedGuildIds());
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
	 * returns how many it had not known. Polls it already schedules are left as they are.
	 */
	async adopt(guildIds: readonly string[]): Promise<number> {
		const entries = (await this.options.store.openPolls(guildIds)).filter((entry) => !this.open.has(entry.id));
		for (const entry of entries) {
			this.open.set(entry.id, entry);
			if (entry.deadline <= this.now) {
				this.closeInBackground(entry.id);
				continue;
			}
			const poll = await this.options.store.getPoll(entry.id);
			if (poll?.status === 'closing') this.closeInBackground(entry.id);
			else this.arm(entry.id, entry.deadline);
		}
		return entries.length;
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

	private closeInBackground(pollId: string): void {
		if (this.stopped) return;
		void this.track(
			this.close(pollId, 'deadline').catch((error: unknown) => {
				this.options.logger.error({ err: error, pollId }, 'closing a poll failed; the sweep will retry');
			}),
		);
	}

	// ------------------------------------------------------------------ polls

	private runtime(poll: PollRecord): Promise<Runtime> {
		let runtime = this.runtimes.get(poll.id);
		if (!runtime) {
			runtime = (async () => {
				const stored = await this.options.store.listVotes(poll.id);
				const votes = new Map([...stored].map(([userId, vote]) => [userId, vote.choice]));
				return { poll, votes, closing: poll.status !== 'open', inFlight: 0, idle: [] };
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
			schemaVersion: 1,
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
		/** The channel the vote button was pressed in: a genuine card is always in its poll's channel. */
		channelId: string;
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
				const previous = runtime.votes.get(input.userId) ?? null;
				const decision = voteDecision(runtime.poll, {
					now: this.now,
					choice: input.choice,
					previousChoice: previous,
					memberRoleIds: input.roleIds,
				});
				if (decision.kind === 'refused') return { kind: 'refused', text: decision.reason } as const;
				if (decision.kind === 'same')
					return { kind: 'same', text: receiptText(runtime.poll, input.choice, input.choice) } as const;
				await this.options.store.putVote(poll.id, input.userId, {
					schemaVersion: 1,
					choice: input.choice,
					at: this.now,
				});
				runtime.votes.set(input.userId, input.choice);
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
			const closing = poll.status === 'closing' ? poll : closingRecord(poll, this.now, by);
			if (closing !== poll) await store.savePoll(closing);
			runtime.poll = closing;

			const votes = await store.listVotes(pollId);
			const final = tally(
				closing,
				[...votes.values()].map((vote) => vote.choice),
			);
			const closed = closedRecord(closing, this.now, by, final.counts);
			if (closed.messageId) {
				const chartFile = `poll-${closed.id}-results.png`;
				try {
					const png = renderPollChartPng({
						question: closed.question,
						choices: closed.choices.map((label, index) => ({ label, count: final.counts[index] ?? 0 })),
						totalVotes: final.total,
						closedAt: `Closed ${new Date(closed.closedAt ?? this.now).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
						scale: final.scale
							? { mean: final.scale.mean, minLabel: closed.choices[0] ?? '', maxLabel: closed.choices.at(-1) ?? '' }
							: null,
					});
					await this.options.port.edit(closed.channelId, closed.messageId, await this.card(closed, final, chartFile), [
						{ name: chartFile, data: png },
					]);
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
				channelId: closed.channelId,
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
