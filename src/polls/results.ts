import type { PollRecord } from '../domain/poll.js';
import type { PollStore } from '../store/polls.js';

/**
 * Who voted what, for the private "Results" answer of a non-anonymous poll (moderators only; the caller decides).
 * An answer can show only so many names (an embed field holds 1,024 characters, about 40 mentions), so only that
 * many are read: the votes of a closed poll are streamed from the store a page at a time, and reading stops as soon
 * as every choice has its names, or after `VOTER_SCAN_LIMIT` votes. The counts come from the tally, never from this.
 */

/** Names shown per choice; the rest are counted ("and 5,960 more"). */
export const VOTERS_SHOWN_PER_CHOICE = 40;
/** At most this many stored votes are read for one answer, however large the poll. */
export const VOTER_SCAN_LIMIT = 2_000;
/** Votes read per store query. */
export const VOTER_PAGE_SIZE = 200;
/** Answers that read voters from the store at the same time; more wait their turn. */
const CONCURRENT_VOTER_SCANS = 2;
/** Closed polls whose voter sample is kept (a closed poll's votes never change, so neither does its sample). */
const CACHED_SAMPLES = 100;

/** Up to `VOTERS_SHOWN_PER_CHOICE` member ids per choice index. */
export type VoterSample = Map<number, string[]>;

class Sampler {
	readonly sample: VoterSample = new Map();
	private readonly seen = new Set<string>();
	private missing: number;

	constructor(private readonly wanted: readonly number[]) {
		this.missing = wanted.reduce((sum, count) => sum + Math.min(count, VOTERS_SHOWN_PER_CHOICE), 0);
	}

	get full(): boolean {
		return this.missing <= 0;
	}

	add(userId: string, choice: number): void {
		if (this.seen.has(userId)) return;
		this.seen.add(userId);
		const names = this.sample.get(choice) ?? [];
		if (names.length >= Math.min(this.wanted[choice] ?? 0, VOTERS_SHOWN_PER_CHOICE)) return;
		names.push(userId);
		this.sample.set(choice, names);
		this.missing -= 1;
	}
}

/** From the votes an open poll keeps in memory: no store read. `counts` is the tally's, per choice. */
export function sampleVoters(votes: Iterable<[string, number]>, counts: readonly number[]): VoterSample {
	const sampler = new Sampler(counts);
	for (const [userId, choice] of votes) {
		sampler.add(userId, choice);
		if (sampler.full) break;
	}
	return sampler.sample;
}

/**
 * Reads voters of closed polls from the store, for at most `concurrency` polls at a time (the others wait their
 * turn), each bounded and streamed as described above. A closed poll's votes never change, so its sample is read
 * once and kept (for the most recent `CACHED_SAMPLES` polls); answers asking at the same moment share one read.
 */
export class StoredVoters {
	private running = 0;
	private readonly waiting: (() => void)[] = [];
	private readonly samples = new Map<string, Promise<VoterSample>>();

	constructor(
		private readonly store: Pick<PollStore, 'votePages'>,
		private readonly concurrency = CONCURRENT_VOTER_SCANS,
	) {}

	/** Up to `VOTERS_SHOWN_PER_CHOICE` voters per choice of a closed poll; `counts` are its final counts. */
	sample(poll: Pick<PollRecord, 'id'>, counts: readonly number[]): Promise<VoterSample> {
		const cached = this.samples.get(poll.id);
		if (cached) return cached;
		const read = this.read(poll, counts);
		this.samples.set(poll.id, read);
		read.catch(() => this.samples.delete(poll.id));
		// Forget the oldest once there are too many (a Map keeps insertion order).
		for (const oldest of this.samples.keys()) {
			if (this.samples.size <= CACHED_SAMPLES) break;
			this.samples.delete(oldest);
		}
		return read;
	}

	private async read(poll: Pick<PollRecord, 'id'>, counts: readonly number[]): Promise<VoterSample> {
		const sampler = new Sampler(counts);
		if (sampler.full) return sampler.sample;
		if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
		else this.running += 1;
		try {
			let read = 0;
			for await (const page of this.store.votePages(poll.id, VOTER_PAGE_SIZE)) {
				for (const [userId, vote] of page) sampler.add(userId, vote.choice);
				read += page.length;
				if (sampler.full || read >= VOTER_SCAN_LIMIT) break;
			}
			return sampler.sample;
		} finally {
			// The slot passes straight to the next answer waiting, if any.
			const next = this.waiting.shift();
			if (next) next();
			else this.running -= 1;
		}
	}
}
