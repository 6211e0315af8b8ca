import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';

/** How long a server's member count is trusted before it is fetched again (poll time, so the console can move it). */
export const MEMBER_COUNT_MAX_AGE_MS = 10 * 60 * 1000;
/** After a failed fetch, the last known count is used and the fetch is tried again after this long. */
const RETRY_AFTER_MS = 60 * 1000;

interface Entry {
	count: number | null;
	/** Poll-clock time the count was fetched (or the retry was scheduled from). */
	at: number;
	pending: Promise<number | null> | null;
}

/**
 * Each server's approximate member count for turnout, fetched from Discord when first needed and again once it is
 * older than `MEMBER_COUNT_MAX_AGE_MS`. The gateway's `member_count` is only the count when the bot connected (the
 * bot has no privileged members intent to follow joins and leaves), so it is not used.
 */
export class MemberCounts {
	private readonly entries = new Map<string, Entry>();

	constructor(
		private readonly fetch: (guildId: string) => Promise<number | null> | number | null,
		private readonly clock: Clock,
		private readonly logger: Logger,
		private readonly maxAgeMs = MEMBER_COUNT_MAX_AGE_MS,
	) {}

	/**
	 * The server's approximate member count; null when Discord has never told us. Concurrent callers share a fetch.
	 * A caller that must answer quickly (an interaction) passes `waitMs`: a fetch slower than that still completes
	 * for the next caller, and this one gets the last known count. `maxAgeMs` 0 asks for a fresh count.
	 */
	async get(guildId: string, options: { waitMs?: number; maxAgeMs?: number } = {}): Promise<number | null> {
		const pending = this.fetched(guildId, options.maxAgeMs ?? this.maxAgeMs);
		const { waitMs } = options;
		if (waitMs === undefined) return pending;
		let timer: NodeJS.Timeout | undefined;
		const late = new Promise<number | null>((resolve) => {
			timer = setTimeout(() => resolve(this.entries.get(guildId)?.count ?? null), waitMs);
		});
		try {
			return await Promise.race([pending, late]);
		} finally {
			clearTimeout(timer);
		}
	}

	private fetched(guildId: string, maxAgeMs: number): Promise<number | null> {
		const entry = this.entries.get(guildId);
		if (entry?.pending) return entry.pending;
		if (entry && this.clock.now() - entry.at < maxAgeMs) return Promise.resolve(entry.count);
		const current: Entry = entry ?? { count: null, at: 0, pending: null };
		this.entries.set(guildId, current);
		const pending = (async () => {
			try {
				const count = await this.fetch(guildId);
				current.count = count !== null && Number.isSafeInteger(count) && count > 0 ? count : current.count;
				current.at = this.clock.now();
			} catch (error) {
				this.logger.warn(
					{ err: error, guildId },
					'could not fetch the server’s member count; turnout uses the last known count',
				);
				current.at = this.clock.now() - this.maxAgeMs + RETRY_AFTER_MS;
			}
			return current.count;
		})();
		current.pending = pending;
		void pending.finally(() => {
			if (current.pending === pending) current.pending = null;
		});
		return pending;
	}
}
