import type { Clock } from '../clock.js';
import { UserFacingError } from '../errors.js';

/**
 * A per-member budget for costly work (rendering a chart takes ~100 ms of CPU), so one member cannot make the bot
 * slow for everyone: at most `limit` uses per `windowMs`, per member.
 */
export class MemberRateLimit {
	private readonly uses = new Map<string, number[]>();

	constructor(
		private readonly clock: Clock,
		private readonly limit: number,
		private readonly windowMs: number,
		private readonly what: string,
	) {}

	/** Counts one use by `memberId`, or refuses with how long to wait. */
	take(memberId: string): void {
		const now = this.clock.now();
		const recent = (this.uses.get(memberId) ?? []).filter((at) => now - at < this.windowMs);
		if (recent.length >= this.limit) {
			const waitSeconds = Math.max(1, Math.ceil(((recent[0] ?? now) + this.windowMs - now) / 1000));
			this.uses.set(memberId, recent);
			throw new UserFacingError(
				`You've asked for ${this.what} ${this.limit} times in the last ${Math.round(this.windowMs / 1000)} seconds. Please wait ${waitSeconds} s and try again.`,
			);
		}
		recent.push(now);
		this.uses.set(memberId, recent);
		if (this.uses.size > 10_000) this.forgetIdle(now);
	}

	private forgetIdle(now: number): void {
		for (const [memberId, times] of this.uses)
			if (times.every((at) => now - at >= this.windowMs)) this.uses.delete(memberId);
	}
}
