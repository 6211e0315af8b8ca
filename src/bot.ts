import {
	type CacheFactory,
	Client,
	Events,
	GatewayDispatchEvents,
	GatewayIntentBits,
	LimitedCollection,
	Options,
	Routes,
} from 'discord.js';
import type { APIMessage } from 'discord-api-types/v10';
import { z } from 'zod';
import { commands as defaultCommands } from '../commands/index.js';
import { type Clock, SystemClock } from './clock.js';
import type { Config } from './config.js';
import type { BotContext } from './context.js';
import { ChannelAccess, restChannelDirectory } from './discord/channel-access.js';
import type { Command } from './discord/command.js';
import { MemberRateLimit } from './discord/rate-limit.js';
import { createInteractionRouter } from './discord/router.js';
import { loadLibrary } from './library.js';
import type { Logger } from './logger.js';
import { type PollPort, PollService } from './polls/service.js';
import { createChartPool } from './render/chart-pool.js';
import { openStore } from './store/keyv.js';
import { createPollStore } from './store/polls.js';
import { openVoteKey } from './store/vote-key.js';
import { createServerWeightsStore } from './store/weights.js';

export interface BotOptions {
	readonly config: Config;
	readonly logger: Logger;
	readonly clock?: Clock;
	readonly commands?: readonly Command[];
	/** Key namespace in the store; tests on shared Redis/PostgreSQL servers use their own. */
	readonly storeNamespace?: string;
}

export interface RunningBot {
	readonly client: Client<true>;
	readonly ctx: BotContext;
	/** Stops taking interactions, lets those in flight finish, disconnects, closes the store. Idempotent. */
	stop(reason?: string): Promise<void>;
}

/** Each member may ask for poll results this many times per window ("Results" button and /poll results together). */
const RESULTS_PER_WINDOW = 5;
const RESULTS_WINDOW_MS = 30_000;

/** How long shutdown waits for interactions in flight before closing anyway. */
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * Managers whose caches Parley never reads; `cacheWithLimits` does not accept them, so they are wrapped here.
 * discord.js warns about this at every start (UnsupportedCacheOverwriteWarning); the entry points pass
 * `--disable-warning=UnsupportedCacheOverwriteWarning` because the choice is deliberate and tested.
 */
const UNREAD_MANAGERS: ReadonlySet<string> = new Set([
	'ChannelManager',
	'GuildChannelManager',
	'PermissionOverwriteManager',
]);

function leanCache(supported: CacheFactory): CacheFactory {
	return (managerType, holds, manager) =>
		UNREAD_MANAGERS.has(managerType.name)
			? new LimitedCollection({ maxSize: 0 })
			: supported(managerType, holds, manager);
}

export function createClient(config: Config): Client {
	const client = new Client({
		// Slash commands, buttons and autocomplete need no privileged intents; Guilds gives us guilds, channels, roles.
		intents: [GatewayIntentBits.Guilds],
		rest: config.DISCORD_API_BASE ? { api: config.DISCORD_API_BASE } : {},
		// A second safety net behind the explicit allowedMentions on every message.
		allowedMentions: { parse: [] },
		// A lean cache, so one process serves thousands of servers (10,000 measured under 300 MB, see README).
		// Parley reads only servers and roles (for voter_role and permissions) from the cache: a member's permissions
		// in the channel they act in come with each interaction, the overwrites of a poll's channel elsewhere are read
		// over REST when needed (src/discord/channel-access.ts), and poll cards are posted and edited by channel id
		// over REST. discord.js calls limiting the channel caches "unsupported";
		// the end-to-end suite runs with exactly these limits.
		makeCache: leanCache(
			Options.cacheWithLimits({
				...Options.DefaultMakeCacheSettings,
				MessageManager: 0,
				ThreadManager: 0,
				ThreadMemberManager: 0,
				GuildMemberManager: { maxSize: 0, keepOverLimit: (member) => member.id === member.client.user.id },
				UserManager: { maxSize: 0, keepOverLimit: (user) => user.id === user.client.user.id },
				ReactionManager: 0,
				GuildEmojiManager: 0,
				GuildStickerManager: 0,
				PresenceManager: 0,
				VoiceStateManager: 0,
				StageInstanceManager: 0,
				GuildScheduledEventManager: 0,
				GuildInviteManager: 0,
				GuildBanManager: 0,
				ApplicationCommandManager: 0,
				AutoModerationRuleManager: 0,
			}),
		),
	});
	// SHARD_LIST with `npm start`: this one process runs the machine's whole share of the shards (discord.js internal
	// sharding). Under the ShardingManager (`client.shard` is set) the manager gives each process its own shard.
	if (config.SHARD_LIST && typeof config.SHARD_COUNT === 'number' && client.shard === null) {
		client.options.shards = [...config.SHARD_LIST];
		client.options.shardCount = config.SHARD_COUNT;
	}
	return client;
}

/** Gateway events after which a server's channel overwrites, as Parley last read them, may be out of date. */
const CHANNEL_EVENTS = [
	GatewayDispatchEvents.ChannelCreate,
	GatewayDispatchEvents.ChannelUpdate,
	GatewayDispatchEvents.ChannelDelete,
	GatewayDispatchEvents.ThreadUpdate,
	GatewayDispatchEvents.ThreadDelete,
] as const;
const ChannelEvent = z.object({ guild_id: z.string().optional() });
const GuildEvent = z.object({ id: z.string() });

/** Poll cards are plain channel messages, posted and edited with the bot's REST client. */
function pollPort(client: Client): PollPort {
	const body = (message: Parameters<PollPort['post']>[1]) => ({
		content: message.content ?? '',
		embeds: message.embeds,
		components: message.components,
		allowed_mentions: { parse: [] },
	});
	return {
		async post(channelId, message) {
			const posted = (await client.rest.post(Routes.channelMessages(channelId), { body: body(message) })) as APIMessage;
			return posted.id;
		},
		async edit(channelId, messageId, message, files) {
			await client.rest.patch(Routes.channelMessage(channelId, messageId), {
				body: {
					...body(message),
					...(files ? { attachments: files.map((file, index) => ({ id: index, filename: file.name })) } : {}),
				},
				...(files ? { files: files.map((file) => ({ name: file.name, data: file.data })) } : {}),
			});
		},
		// The gateway's member_count is the count when the bot connected (no privileged members intent follows joins
		// and leaves), so turnout asks Discord for the approximate count; the poll service caches it for minutes.
		async memberCount(guildId) {
			const guild = GuildCounts.parse(
				await client.rest.get(Routes.guild(guildId), { query: new URLSearchParams({ with_counts: 'true' }) }),
			);
			return guild.approximate_member_count ?? null;
		},
	};
}

/** The part of `GET /guilds/{id}?with_counts=true` that turnout reads. */
const GuildCounts = z.object({ approximate_member_count: z.number().int().nonnegative().optional() });

/** The composition root shared by `npm start`, `npm run try` and the tests: store → context → client → login. */
export async function startBot(options: BotOptions): Promise<RunningBot> {
	const { config, logger } = options;
	const clock = options.clock ?? new SystemClock();
	const commands = options.commands ?? defaultCommands;
	// Content first: a broken data file should stop startup before anything connects.
	const library = loadLibrary();
	// The bot owns its store: on SQLite a second bot on the same file refuses to start (StoreInUseError).
	const store = await openStore(config.STORE_URL, logger, {
		owner: true,
		...(options.storeNamespace ? { namespace: options.storeNamespace } : {}),
	});
	let voteKey: Awaited<ReturnType<typeof openVoteKey>>;
	try {
		voteKey = await openVoteKey(store, { secret: config.VOTE_KEY_SECRET }, logger);
	} catch (error) {
		await store.close().catch(() => {});
		throw error;
	}
	const stores = { weights: createServerWeightsStore(store) };
	const client = createClient(config);
	// Charts are drawn in worker threads: ~60 ms of CPU each would otherwise stall every interaction behind them.
	const charts = createChartPool();
	const polls = new PollService({
		store: createPollStore(store, voteKey),
		clock,
		logger,
		port: pollPort(client),
		library,
		charts,
		// The gateway delivers each server to exactly one shard; a sharded process only sees its own servers.
		ownedGuildIds: () => [...client.guilds.cache.keys()],
	});
	// Channel overwrites read over REST are kept until the gateway says one of the server's channels changed.
	const access = new ChannelAccess({ directory: restChannelDirectory(client.rest), logger });
	for (const event of CHANNEL_EVENTS) {
		client.ws.on(event, (data: unknown) => {
			const guildId = ChannelEvent.safeParse(data).data?.guild_id;
			if (guildId) access.invalidate(guildId);
		});
	}
	for (const event of [GatewayDispatchEvents.GuildCreate, GatewayDispatchEvents.GuildDelete] as const) {
		client.ws.on(event, (data: unknown) => {
			const guildId = GuildEvent.safeParse(data).data?.id;
			if (guildId) access.invalidate(guildId);
		});
	}
	const limits = {
		charts: new MemberRateLimit(clock, 4, 60_000, 'a new timeline picture'),
		results: new MemberRateLimit(clock, RESULTS_PER_WINDOW, RESULTS_WINDOW_MS, 'poll results'),
	};
	const ctx: BotContext = { config, logger, clock, store, library, stores, polls, access, charts, limits, commands };
	const router = createInteractionRouter(commands, ctx);

	client.on(Events.InteractionCreate, (interaction) => void router.handle(interaction));
	client.on(Events.GuildCreate, (guild) => {
		if (!client.isReady()) return;
		void polls
			.adopt([guild.id])
			.catch((error: unknown) =>
				logger.error({ err: error, guildId: guild.id }, 'could not load a server’s open polls'),
			);
	});
	client.on(Events.Error, (error) => logger.error({ err: error }, 'discord client error'));
	client.on(Events.Warn, (message) => logger.warn({ detail: message }, 'discord client warning'));
	client.on(Events.ShardDisconnect, (event, shardId) =>
		logger.warn({ shardId, code: event.code }, 'shard disconnected'),
	);
	client.on(Events.ShardResume, (shardId, replayed) => logger.info({ shardId, replayed }, 'shard resumed'));
	// Unexpected 429s (Discord's answer, not our own pacing) only show up as responses: log them too.
	client.rest.on('response', (request, response) => {
		if (response.status === 429) {
			logger.warn(
				{ route: request.route, method: request.method, retryAfter: response.headers.get('retry-after') },
				'rate limited by Discord (429); discord.js waits and retries',
			);
		}
	});
	client.rest.on('rateLimited', (info) =>
		logger.warn({ route: info.route, retryAfterMs: info.retryAfter, global: info.global }, 'rate limited by Discord'),
	);

	const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
	try {
		await client.login(config.DISCORD_TOKEN);
	} catch (error) {
		await client.destroy().catch(() => {});
		await charts.close().catch(() => {});
		await store.close().catch(() => {});
		throw error;
	}
	const readyClient = await ready;
	await polls.start();
	logger.info(
		{
			user: readyClient.user.tag,
			guilds: readyClient.guilds.cache.size,
			shards: readyClient.ws.shards.map((shard) => shard.id),
			shardCount: readyClient.options.shardCount,
			store: store.backend,
			commands: commands.length,
		},
		'Parley is ready',
	);

	let stopping: Promise<void> | undefined;
	return {
		client: readyClient,
		ctx,
		stop(reason = 'stop requested') {
			stopping ??= (async () => {
				logger.info({ reason, inFlight: router.inFlight }, 'shutting down');
				router.stopAccepting();
				const { unfinished } = await router.drain(DRAIN_TIMEOUT_MS);
				if (unfinished > 0) logger.warn({ unfinished }, 'shutdown timed out with interactions still running');
				await polls.stop();
				await charts.close();
				await client.destroy();
				await store.close();
				logger.info('shutdown complete');
			})();
			return stopping;
		},
	};
}
