import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { ChannelAccess } from './discord/channel-access.js';
import type { Command } from './discord/command.js';
import type { MemberRateLimit } from './discord/rate-limit.js';
import type { Library } from './library.js';
import type { Logger } from './logger.js';
import type { PollService } from './polls/service.js';
import type { ChartRenderer } from './render/chart-pool.js';
import type { Store } from './store/keyv.js';
import type { ServerWeightsStore } from './store/weights.js';

/** Everything a command may use, passed explicitly (no globals). */
export interface BotContext {
	readonly config: Config;
	readonly logger: Logger;
	readonly clock: Clock;
	readonly store: Store;
	/** Deals and other curated content, validated at startup. */
	readonly library: Library;
	/** Typed repositories over the store, one per key prefix. */
	readonly stores: { readonly weights: ServerWeightsStore };
	/** Polls: voting, scheduling and closing, for the servers this process owns. */
	readonly polls: PollService;
	/** What a member may do with a poll, from their permissions in the poll's own channel. */
	readonly access: ChannelAccess;
	/** Draws pictures (poll results, the deal timeline) in worker threads, off the event loop. */
	readonly charts: ChartRenderer;
	/** Per-member budgets for costly work, and for answers a member could ask for in a tight loop. */
	readonly limits: { readonly charts: MemberRateLimit; readonly results: MemberRateLimit };
	/** The registered commands, so `/help` describes exactly what exists. */
	readonly commands: readonly Command[];
}
