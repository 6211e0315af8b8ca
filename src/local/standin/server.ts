import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import {
	ApplicationCommandOptionType,
	GatewayOpcodes,
	InteractionResponseType,
	InteractionType,
	MessageFlags,
	PermissionFlagsBits,
} from 'discord-api-types/v10';
import { type WebSocket, WebSocketServer } from 'ws';
import { checkAllowedMentions, checkAutocompleteChoices, checkMessageLimits } from './limits.js';
import { SnowflakeGenerator, shardForGuild } from './snowflake.js';
import {
	type AttachmentState,
	type ChannelState,
	computeBasePermissions,
	computeChannelPermissions,
	createGuild,
	findRole,
	type GuildSeed,
	type GuildState,
	type MessageState,
	MODERATOR_PERMISSIONS,
	type UserState,
} from './state.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/** Thrown when a test or the console asks for something impossible (unknown command, bad option…). */
export class StandInUsageError extends Error {
	override readonly name = 'StandInUsageError';
}

export interface StandInOptions {
	/** The only token accepted on bot routes and IDENTIFY. */
	readonly token?: string;
	readonly botUsername?: string;
	/** What `GET /gateway/bot` recommends (used by `shards: 'auto'`). */
	readonly recommendedShards?: number;
	/** Discord's 3-second window for the initial response. */
	readonly ackDeadlineMs?: number;
	readonly heartbeatIntervalMs?: number;
	readonly guilds?: readonly GuildSeed[];
	readonly port?: number;
}

export interface RecordedRequest {
	readonly at: number;
	readonly method: string;
	readonly path: string;
	readonly query: string;
	readonly auth: 'bot' | 'none' | 'wrong';
	readonly body: unknown;
	readonly files: readonly { name: string; size: number }[];
	status: number;
}

export interface Violation {
	readonly at: number;
	readonly rule:
		| 'double-ack'
		| 'late-ack'
		| 'no-ack'
		| 'limits'
		| 'allowed-mentions'
		| 'webhook-before-ack'
		| 'empty-message';
	readonly detail: string;
	readonly interactionId?: string;
}

export type BotOutputKind =
	| 'reply'
	| 'defer'
	| 'update'
	| 'defer-update'
	| 'edit-original'
	| 'followup'
	| 'channel-post'
	| 'channel-edit'
	| 'autocomplete'
	| 'modal'
	| 'delete';

/** One thing the bot did that a user would see. */
export interface BotOutput {
	readonly seq: number;
	readonly at: number;
	readonly kind: BotOutputKind;
	readonly interactionId: string | null;
	readonly message: MessageState | null;
	readonly choices?: readonly { name: string; value: unknown }[];
	readonly modal?: Json;
}

export interface InteractionRecord {
	readonly id: string;
	readonly token: string;
	readonly type: InteractionType;
	readonly guildId: string | null;
	readonly channelId: string;
	readonly userId: string;
	readonly createdAt: number;
	readonly sourceMessageId: string | null;
	ack: { type: InteractionResponseType; at: number } | null;
	expired: boolean;
	originalMessageId: string | null;
	readonly outputs: BotOutput[];
	readonly acked: Promise<InteractionResponseType | 'expired'>;
	resolveAck(value: InteractionResponseType | 'expired'): void;
}

export interface Fault {
	readonly method?: string;
	readonly path: RegExp;
	readonly status: number;
	readonly code?: number;
	readonly message?: string;
	readonly retryAfterSeconds?: number;
	/** How many matching requests fail; Infinity for all. */
	times: number;
}

interface GatewaySession {
	readonly sessionId: string;
	readonly shard: readonly [number, number];
	seq: number;
	socket: WebSocket | null;
	/** Dispatches sent on this session, kept for RESUME replay. */
	readonly sent: { s: number; payload: Json }[];
	/** Dispatches waiting for a (re)connection. */
	readonly pending: Json[];
}

export interface ActorOptions {
	readonly guildId?: string;
	readonly channelId?: string;
	/** Send as a DM (no guild). */
	readonly dm?: boolean;
}

const APPLICATION_ID_SEED = 1_440_000_000_000;

/**
 * A small Discord for loopback: the REST routes and the gateway conversation discord.js 14 needs, with in-memory
 * guilds, channels, members, messages and commands. It enforces Discord's interaction rules and records every
 * request and every rule broken, so tests can assert on what the bot really sent.
 */
export class DiscordStandIn extends EventEmitter {
	readonly token: string;
	readonly applicationId: string;
	readonly botUser: UserState;
	readonly users = new Map<string, UserState>();
	readonly guilds = new Map<string, GuildState>();
	readonly messages = new Map<string, MessageState>();
	readonly interactions = new Map<string, InteractionRecord>();
	readonly traffic: RecordedRequest[] = [];
	readonly violations: Violation[] = [];
	readonly outputs: BotOutput[] = [];
	readonly faults: Fault[] = [];
	readonly globalCommands = new Map<string, Json>();
	readonly guildCommands = new Map<string, Map<string, Json>>();
	/** Heartbeats are acknowledged unless a test turns this off (zombie-connection test). */
	ackHeartbeats = true;

	private readonly ids = new SnowflakeGenerator();
	private readonly usersByName = new Map<string, UserState>();
	private readonly sessions = new Map<string, GatewaySession>();
	private readonly interactionsByToken = new Map<string, InteractionRecord>();
	private readonly ownerId: string;
	private readonly ackDeadlineMs: number;
	private readonly heartbeatIntervalMs: number;
	private readonly recommendedShards: number;
	private server: Server | null = null;
	private wss: WebSocketServer | null = null;
	private baseUrl = '';
	private outputSeq = 0;
	private readonly timers = new Set<NodeJS.Timeout>();

	constructor(options: StandInOptions = {}) {
		super();
		this.setMaxListeners(100);
		this.applicationId = this.ids.next(APPLICATION_ID_SEED);
		this.token =
			options.token ?? `${Buffer.from(this.applicationId).toString('base64url')}.standin.local-token-not-secret`;
		this.ackDeadlineMs = options.ackDeadlineMs ?? 3000;
		this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 41_250;
		this.recommendedShards = options.recommendedShards ?? 1;
		this.botUser = {
			id: this.applicationId,
			username: options.botUsername ?? 'Parley',
			globalName: 'Parley',
			bot: true,
		};
		this.users.set(this.botUser.id, this.botUser);
		this.ownerId = this.ids.next();
		const owner: UserState = { id: this.ownerId, username: 'owner', globalName: 'Server Owner', bot: false };
		this.users.set(this.ownerId, owner);
		this.usersByName.set('owner', owner);
		for (const seed of options.guilds ?? [{ name: 'Parley Test Server' }]) this.addGuild(seed);
	}

	// ---------------------------------------------------------------- lifecycle

	async listen(port = 0): Promise<void> {
		this.server = createServer((request, response) => void this.handleHttp(request, response));
		this.wss = new WebSocketServer({ server: this.server, path: '/gateway' });
		this.wss.on('connection', (socket) => this.handleSocket(socket));
		await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
		const address = this.server.address() as AddressInfo;
		this.baseUrl = `http://127.0.0.1:${address.port}`;
	}

	static async start(options: StandInOptions = {}): Promise<DiscordStandIn> {
		const standIn = new DiscordStandIn(options);
		await standIn.listen(options.port ?? 0);
		return standIn;
	}

	/** What the bot passes as `rest.api` (DISCORD_API_BASE). */
	get apiBase(): string {
		return `${this.baseUrl}/api`;
	}

	get port(): number {
		return Number(new URL(this.baseUrl).port);
	}

	async close(): Promise<void> {
		for (const timer of this.timers) clearTimeout(timer);
		for (const client of this.wss?.clients ?? []) client.terminate();
		await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
		this.server?.closeAllConnections();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	// ---------------------------------------------------------------- world building

	addGuild(seed: GuildSeed): GuildState {
		const guild = createGuild(this.ids, seed, this.ownerId, this.botUser.id, this.guilds.size);
		this.guilds.set(guild.id, guild);
		for (const session of this.sessions.values()) {
			if (session.socket && shardForGuild(guild.id, session.shard[1]) === session.shard[0]) {
				this.dispatch(session, 'GUILD_CREATE', this.guildPayload(guild));
			}
		}
		return guild;
	}

	get defaultGuild(): GuildState {
		const first = this.guilds.values().next();
		if (first.done) throw new StandInUsageError('the stand-in has no server');
		return first.value;
	}

	defaultChannel(guild: GuildState = this.defaultGuild): ChannelState {
		const first = guild.channels.values().next();
		if (first.done) throw new StandInUsageError(`server ${guild.name} has no channel`);
		return first.value;
	}

	findChannel(guild: GuildState, name: string): ChannelState | undefined {
		const wanted = name.replace(/^#/, '').toLowerCase();
		return [...guild.channels.values()].find((channel) => channel.name === wanted);
	}

	/**
	 * The member called `name`, created on first use. `mod` is a moderator (Manage Server, Manage Messages);
	 * everyone else is a plain member unless roles are given.
	 */
	member(name: string, guild: GuildState = this.defaultGuild, roles?: readonly string[]): UserState {
		const username = name.toLowerCase();
		let user = this.usersByName.get(username);
		if (!user) {
			user = { id: this.ids.next(), username, globalName: name.charAt(0).toUpperCase() + name.slice(1), bot: false };
			this.users.set(user.id, user);
			this.usersByName.set(username, user);
		}
		if (!guild.members.has(user.id)) {
			const roleNames = roles ?? (username === 'mod' ? ['Moderator'] : []);
			const roleIds = roleNames.map((roleName) => {
				const role = findRole(guild, roleName);
				if (!role) throw new StandInUsageError(`server ${guild.name} has no role called ${roleName}`);
				return role.id;
			});
			guild.members.set(user.id, { userId: user.id, roles: roleIds, joinedAt: new Date().toISOString() });
		}
		return user;
	}

	grantRole(userId: string, roleName: string, guild: GuildState = this.defaultGuild): void {
		const role = findRole(guild, roleName);
		const member = guild.members.get(userId);
		if (!role || !member) throw new StandInUsageError(`cannot give role ${roleName}`);
		if (!member.roles.includes(role.id)) member.roles.push(role.id);
	}

	/** Makes the bot unable to do something in a channel (e.g. `SendMessages`), as a server admin might. */
	denyBot(channel: ChannelState, permissions: bigint): void {
		channel.overwrites.push({ id: this.botUser.id, type: 1, allow: 0n, deny: permissions });
		this.dispatchToGuild(channel.guildId, 'CHANNEL_UPDATE', this.channelPayload(channel));
	}

	/**
	 * Sets a channel's permission overwrite for a role (by name) or a member, as a server admin would in the
	 * channel's settings; allow and deny both 0n remove it. The bot hears CHANNEL_UPDATE.
	 */
	setOverwrite(
		channel: ChannelState,
		target: { readonly role: string } | { readonly user: UserState },
		allow: bigint,
		deny = 0n,
	): void {
		const guild = this.guilds.get(channel.guildId);
		if (!guild) throw new StandInUsageError(`channel ${channel.name} has no server`);
		let id: string;
		let type: 0 | 1;
		if ('role' in target) {
			const role = findRole(guild, target.role);
			if (!role) throw new StandInUsageError(`server ${guild.name} has no role called ${target.role}`);
			id = role.id;
			type = 0;
		} else {
			id = target.user.id;
			type = 1;
		}
		const others = channel.overwrites.filter((overwrite) => overwrite.id !== id);
		channel.overwrites.splice(0, channel.overwrites.length, ...others);
		if (allow !== 0n || deny !== 0n) channel.overwrites.push({ id, type, allow, deny });
		this.dispatchToGuild(channel.guildId, 'CHANNEL_UPDATE', this.channelPayload(channel));
	}

	/** Adds a text channel, as a server admin would; the bot hears CHANNEL_CREATE. */
	addChannel(guild: GuildState, name: string): ChannelState {
		const channel: ChannelState = {
			id: this.ids.next(),
			guildId: guild.id,
			name,
			type: 0,
			position: guild.channels.size,
			overwrites: [],
		};
		guild.channels.set(channel.id, channel);
		this.dispatchToGuild(guild.id, 'CHANNEL_CREATE', this.channelPayload(channel));
		return channel;
	}

	/** Deletes a channel and its messages, as a server admin would; the bot hears CHANNEL_DELETE. */
	deleteChannel(channel: ChannelState): void {
		const guild = this.guilds.get(channel.guildId);
		if (!guild?.channels.delete(channel.id)) throw new StandInUsageError(`no channel ${channel.name} to delete`);
		for (const message of this.messages.values()) if (message.channelId === channel.id) message.deleted = true;
		this.dispatchToGuild(guild.id, 'CHANNEL_DELETE', this.channelPayload(channel));
	}

	// ---------------------------------------------------------------- driving the bot

	/** Runs a slash command as `user`. Options are typed against the registered command, as Discord does. */
	command(
		user: UserState,
		commandLine: { name: string; subcommand?: string; options?: Record<string, string> },
		where: ActorOptions = {},
	): InteractionRecord {
		const { guild, channel } = this.place(where);
		const definition = this.findCommand(commandLine.name, guild?.id ?? null);
		const data = this.buildCommandData(definition, guild, commandLine.subcommand, commandLine.options ?? {}, null);
		return this.sendInteraction(InteractionType.ApplicationCommand, user, guild, channel, data, null);
	}

	/** Autocomplete while typing option `focused`. */
	autocomplete(
		user: UserState,
		commandLine: { name: string; subcommand?: string; options?: Record<string, string> },
		focused: string,
		where: ActorOptions = {},
	): InteractionRecord {
		const { guild, channel } = this.place(where);
		const definition = this.findCommand(commandLine.name, guild?.id ?? null);
		const data = this.buildCommandData(definition, guild, commandLine.subcommand, commandLine.options ?? {}, focused);
		return this.sendInteraction(InteractionType.ApplicationCommandAutocomplete, user, guild, channel, data, null);
	}

	/** Presses a button on a message the bot sent. */
	click(user: UserState, message: MessageState, customId: string): InteractionRecord {
		return this.component(user, message, { custom_id: customId, component_type: 2 });
	}

	/** Picks values from a string select menu. */
	select(user: UserState, message: MessageState, customId: string, values: readonly string[]): InteractionRecord {
		return this.component(user, message, { custom_id: customId, component_type: 3, values: [...values] });
	}

	/** Sends a component interaction with an arbitrary (possibly forged) custom_id on a message. */
	component(user: UserState, message: MessageState, data: Json): InteractionRecord {
		const guild = message.guildId ? (this.guilds.get(message.guildId) ?? null) : null;
		const channel = guild?.channels.get(message.channelId) ?? null;
		if (!channel) throw new StandInUsageError('that message is not in a server channel');
		return this.sendInteraction(InteractionType.MessageComponent, user, guild, channel, data, message);
	}

	/** Waits for the initial response; if it was a defer, also for the deferred reply's edit; then for quiet. */
	async settle(record: InteractionRecord, quietMs = 120, maxMs = 15_000): Promise<BotOutput[]> {
		const started = Date.now();
		const ack = await record.acked;
		if (ack === InteractionResponseType.DeferredChannelMessageWithSource) {
			await this.waitFor(
				() => record.outputs.some((output) => output.kind === 'edit-original' || output.kind === 'followup'),
				maxMs,
			);
		}
		let seen = -1;
		while (Date.now() - started < maxMs) {
			const last = this.outputSeq;
			if (last === seen) break;
			seen = last;
			await sleep(quietMs);
		}
		return record.outputs;
	}

	async waitFor(predicate: () => boolean, timeoutMs = 10_000, intervalMs = 10): Promise<boolean> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (predicate()) return true;
			await sleep(intervalMs);
		}
		return predicate();
	}

	/** Messages `user` can see in a channel, oldest first (ephemeral ones only if addressed to them). */
	visibleMessages(userId: string, channelId?: string): MessageState[] {
		return [...this.messages.values()].filter(
			(message) =>
				!message.deleted &&
				(channelId === undefined || message.channelId === channelId) &&
				(message.visibleTo === null || message.visibleTo === userId),
		);
	}

	fileOf(attachment: AttachmentState): Buffer {
		return attachment.data;
	}

	// ---------------------------------------------------------------- gateway controls for fault tests

	/** Asks the shard to reconnect (op 7); discord.js resumes. */
	requestReconnect(shardId = 0): void {
		for (const session of this.sessions.values()) {
			if (session.shard[0] === shardId && session.socket)
				session.socket.send(JSON.stringify({ op: GatewayOpcodes.Reconnect, d: null }));
		}
	}

	/** Drops the shard's connection as a network failure would; discord.js reconnects and resumes. */
	dropConnection(shardId = 0, code = 4000): void {
		for (const session of this.sessions.values()) {
			if (session.shard[0] === shardId && session.socket) session.socket.close(code, 'stand-in dropped the connection');
		}
	}

	get connectedShards(): number[] {
		return [...this.sessions.values()].filter((session) => session.socket).map((session) => session.shard[0]);
	}

	// ---------------------------------------------------------------- payload builders

	userPayload(user: UserState): Json {
		return {
			id: user.id,
			username: user.username,
			discriminator: '0',
			global_name: user.globalName,
			avatar: null,
			bot: user.bot || undefined,
		};
	}

	private rolePayload(role: { id: string; name: string; permissions: bigint; position: number }): Json {
		return {
			id: role.id,
			name: role.name,
			permissions: role.permissions.toString(),
			position: Math.round(role.position * 10),
			color: 0,
			colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
			hoist: false,
			managed: false,
			mentionable: false,
			flags: 0,
			icon: null,
			unicode_emoji: null,
		};
	}

	private channelPayload(channel: ChannelState): Json {
		return {
			id: channel.id,
			type: channel.type,
			guild_id: channel.guildId,
			name: channel.name,
			position: channel.position,
			permission_overwrites: channel.overwrites.map((overwrite) => ({
				id: overwrite.id,
				type: overwrite.type,
				allow: overwrite.allow.toString(),
				deny: overwrite.deny.toString(),
			})),
			parent_id: null,
			nsfw: false,
			topic: null,
			last_message_id: null,
			rate_limit_per_user: 0,
		};
	}

	private memberPayload(guild: GuildState, userId: string): Json {
		const member = guild.members.get(userId);
		const user = this.users.get(userId);
		if (!member || !user) throw new StandInUsageError(`user ${userId} is not a member of ${guild.name}`);
		return {
			user: this.userPayload(user),
			roles: member.roles,
			joined_at: member.joinedAt,
			deaf: false,
			mute: false,
			flags: 0,
			nick: null,
			avatar: null,
			premium_since: null,
			pending: false,
		};
	}

	private guildPayload(guild: GuildState): Json {
		return {
			id: guild.id,
			name: guild.name,
			icon: null,
			owner_id: guild.ownerId,
			features: [],
			unavailable: false,
			member_count: guild.members.size,
			large: false,
			joined_at: new Date().toISOString(),
			preferred_locale: 'en-US',
			afk_timeout: 300,
			verification_level: 0,
			default_message_notifications: 0,
			explicit_content_filter: 0,
			mfa_level: 0,
			nsfw_level: 0,
			premium_tier: 0,
			system_channel_flags: 0,
			roles: [...guild.roles.values()].map((role) => this.rolePayload(role)),
			channels: [...guild.channels.values()].map((channel) => this.channelPayload(channel)),
			members: [this.memberPayload(guild, this.botUser.id)],
			threads: [],
			emojis: [],
			stickers: [],
			voice_states: [],
			presences: [],
			stage_instances: [],
			guild_scheduled_events: [],
			soundboard_sounds: [],
		};
	}

	messagePayload(message: MessageState): Json {
		return {
			id: message.id,
			channel_id: message.channelId,
			guild_id: message.guildId ?? undefined,
			author: this.userPayload(this.botUser),
			content: message.content,
			timestamp: new Date(message.createdAt).toISOString(),
			edited_timestamp: message.editedAt === null ? null : new Date(message.editedAt).toISOString(),
			tts: false,
			mention_everyone: false,
			mentions: [],
			mention_roles: [],
			attachments: message.attachments.map((attachment) => ({
				id: attachment.id,
				filename: attachment.filename,
				size: attachment.size,
				content_type: attachment.contentType,
				url: `${this.baseUrl}/attachments/${message.id}/${attachment.id}/${encodeURIComponent(attachment.filename)}`,
				proxy_url: `${this.baseUrl}/attachments/${message.id}/${attachment.id}/${encodeURIComponent(attachment.filename)}`,
			})),
			embeds: message.embeds,
			components: message.components,
			pinned: false,
			type: message.interactionId ? 20 : 0,
			flags: message.flags,
			webhook_id: message.interactionId ? this.applicationId : undefined,
			application_id: this.applicationId,
			interaction_metadata: message.interactionId
				? {
						id: message.interactionId,
						type: InteractionType.ApplicationCommand,
						user: this.userPayload(this.users.get(message.interactionUserId ?? '') ?? this.botUser),
						authorizing_integration_owners: {},
					}
				: undefined,
		};
	}

	// ---------------------------------------------------------------- interactions

	private place(where: ActorOptions): { guild: GuildState | null; channel: ChannelState | null } {
		if (where.dm) return { guild: null, channel: null };
		const guild = where.guildId ? this.guilds.get(where.guildId) : this.defaultGuild;
		if (!guild) throw new StandInUsageError(`no server with id ${where.guildId}`);
		const channel = where.channelId ? guild.channels.get(where.channelId) : this.defaultChannel(guild);
		if (!channel) throw new StandInUsageError(`no channel with id ${where.channelId}`);
		return { guild, channel };
	}

	findCommand(name: string, guildId: string | null): Json {
		const definition =
			(guildId ? this.guildCommands.get(guildId)?.get(name) : undefined) ?? this.globalCommands.get(name);
		if (!definition) {
			const known = [
				...new Set([
					...this.globalCommands.keys(),
					...(guildId ? (this.guildCommands.get(guildId)?.keys() ?? []) : []),
				]),
			];
			throw new StandInUsageError(
				`there is no /${name} command (registered: ${known.map((known) => `/${known}`).join(', ') || 'none'})`,
			);
		}
		return definition;
	}

	/** All command definitions the bot registered that a member of `guildId` would see. */
	commandsFor(guildId: string | null): Json[] {
		const merged = new Map(this.globalCommands);
		if (guildId) for (const [name, definition] of this.guildCommands.get(guildId) ?? []) merged.set(name, definition);
		return [...merged.values()];
	}

	private buildCommandData(
		definition: Json,
		guild: GuildState | null,
		subcommand: string | undefined,
		raw: Record<string, string>,
		focused: string | null,
	): Json {
		const topOptions = Array.isArray(definition.options) ? (definition.options as Json[]) : [];
		const subcommands = topOptions.filter((option) => option.type === ApplicationCommandOptionType.Subcommand);
		let optionDefinitions = topOptions;
		let wrap = (options: Json[]): Json[] => options;
		if (subcommands.length > 0) {
			const names = subcommands.map((option) => String(option.name));
			if (!subcommand)
				throw new StandInUsageError(`/${String(definition.name)} needs a subcommand: ${names.join(', ')}`);
			const chosen = subcommands.find((option) => option.name === subcommand);
			if (!chosen)
				throw new StandInUsageError(
					`/${String(definition.name)} has no subcommand "${subcommand}" (try: ${names.join(', ')})`,
				);
			optionDefinitions = Array.isArray(chosen.options) ? (chosen.options as Json[]) : [];
			wrap = (options) => [{ type: ApplicationCommandOptionType.Subcommand, name: subcommand, options }];
		} else if (subcommand) {
			throw new StandInUsageError(`/${String(definition.name)} has no subcommands`);
		}
		const resolved: { users: Json; members: Json; roles: Json; channels: Json } = {
			users: {},
			members: {},
			roles: {},
			channels: {},
		};
		const options: Json[] = [];
		for (const [name, value] of Object.entries(raw)) {
			const optionDefinition = optionDefinitions.find((option) => option.name === name);
			if (!optionDefinition) {
				const names = optionDefinitions.map((option) => String(option.name));
				throw new StandInUsageError(
					`/${String(definition.name)}${subcommand ? ` ${subcommand}` : ''} has no option "${name}" (options: ${names.join(', ') || 'none'})`,
				);
			}
			const type = Number(optionDefinition.type);
			const isFocused = focused === name;
			options.push({
				type,
				name,
				value: isFocused ? value : this.convertOption(optionDefinition, value, guild, resolved),
				...(isFocused ? { focused: true } : {}),
			});
		}
		if (focused !== null && !raw[focused] && !options.some((option) => option.name === focused)) {
			const optionDefinition = optionDefinitions.find((option) => option.name === focused);
			if (!optionDefinition) throw new StandInUsageError(`no option "${focused}" to autocomplete`);
			options.push({ type: Number(optionDefinition.type), name: focused, value: '', focused: true });
		}
		if (focused === null) {
			for (const optionDefinition of optionDefinitions) {
				if (optionDefinition.required === true && !(String(optionDefinition.name) in raw)) {
					throw new StandInUsageError(
						`/${String(definition.name)}${subcommand ? ` ${subcommand}` : ''} needs the option ${String(optionDefinition.name)}`,
					);
				}
			}
		}
		const data: Json = { id: String(definition.id), name: String(definition.name), type: 1, options: wrap(options) };
		if (guild) data.guild_id = guild.id;
		if (Object.values(resolved).some((map) => Object.keys(map).length > 0)) data.resolved = resolved;
		return data;
	}

	private convertOption(
		definition: Json,
		value: string,
		guild: GuildState | null,
		resolved: { users: Json; members: Json; roles: Json; channels: Json },
	): unknown {
		const name = String(definition.name);
		const type = Number(definition.type);
		const choices = Array.isArray(definition.choices) ? (definition.choices as Json[]) : [];
		const fail = (expected: string): never => {
			throw new StandInUsageError(`option ${name} must be ${expected}, not ${JSON.stringify(value)}`);
		};
		let converted: unknown;
		switch (type) {
			case ApplicationCommandOptionType.String: {
				const min = typeof definition.min_length === 'number' ? definition.min_length : 0;
				const max = typeof definition.max_length === 'number' ? definition.max_length : 6000;
				if (value.length < min || value.length > max) fail(`${min}–${max} characters long`);
				converted = value;
				break;
			}
			case ApplicationCommandOptionType.Integer:
				if (!/^-?\d+$/.test(value)) fail('a whole number');
				converted = Number(value);
				break;
			case ApplicationCommandOptionType.Number:
				if (!Number.isFinite(Number(value)) || value.trim() === '') fail('a number');
				converted = Number(value);
				break;
			case ApplicationCommandOptionType.Boolean: {
				const lowered = value.toLowerCase();
				if (!['true', 'false', 'yes', 'no'].includes(lowered)) fail('true or false');
				converted = lowered === 'true' || lowered === 'yes';
				break;
			}
			case ApplicationCommandOptionType.Role: {
				if (!guild) fail('a role (roles exist only in servers)');
				const role = guild ? (findRole(guild, value) ?? guild.roles.get(value)) : undefined;
				if (!role)
					fail(`a role of this server (${guild ? [...guild.roles.values()].map((item) => item.name).join(', ') : ''})`);
				if (role) {
					resolved.roles[role.id] = this.rolePayload(role);
					converted = role.id;
				}
				break;
			}
			case ApplicationCommandOptionType.User: {
				const user = this.member(value.replace(/^@/, ''), guild ?? this.defaultGuild);
				resolved.users[user.id] = this.userPayload(user);
				if (guild) {
					const { user: _omitted, ...member } = this.memberPayload(guild, user.id);
					resolved.members[user.id] = { ...member, permissions: computeBasePermissions(guild, user.id).toString() };
				}
				converted = user.id;
				break;
			}
			case ApplicationCommandOptionType.Channel: {
				const channel = guild ? this.findChannel(guild, value) : undefined;
				if (!channel) fail('a channel of this server');
				if (channel) {
					resolved.channels[channel.id] = { id: channel.id, name: channel.name, type: channel.type, permissions: '0' };
					converted = channel.id;
				}
				break;
			}
			default:
				converted = value;
		}
		if (
			choices.length > 0 &&
			!choices.some((choice) => choice.value === converted || String(choice.name).toLowerCase() === value.toLowerCase())
		) {
			fail(`one of ${choices.map((choice) => String(choice.value)).join(', ')}`);
		}
		const matchingChoice = choices.find((choice) => String(choice.name).toLowerCase() === value.toLowerCase());
		return matchingChoice ? matchingChoice.value : converted;
	}

	private sendInteraction(
		type: InteractionType,
		user: UserState,
		guild: GuildState | null,
		channel: ChannelState | null,
		data: Json,
		message: MessageState | null,
	): InteractionRecord {
		// Discord shows a channel, and so its commands and buttons, only to members who can view it.
		if (
			guild &&
			channel &&
			(computeChannelPermissions(guild, channel, user.id) & PermissionFlagsBits.ViewChannel) === 0n
		)
			throw new StandInUsageError(`${user.username} cannot see #${channel.name}, so cannot act there`);
		const id = this.ids.next();
		const token = `itoken-${id}-${Math.random().toString(36).slice(2)}`;
		let resolveAck: (value: InteractionResponseType | 'expired') => void = () => {};
		const acked = new Promise<InteractionResponseType | 'expired'>((resolve) => {
			resolveAck = resolve;
		});
		const record: InteractionRecord = {
			id,
			token,
			type,
			guildId: guild?.id ?? null,
			channelId: channel?.id ?? `dm-${user.id}`,
			userId: user.id,
			createdAt: Date.now(),
			sourceMessageId: message?.id ?? null,
			ack: null,
			expired: false,
			originalMessageId: null,
			outputs: [],
			acked,
			resolveAck,
		};
		this.interactions.set(id, record);
		this.interactionsByToken.set(token, record);

		const payload: Json = {
			id,
			application_id: this.applicationId,
			type,
			token,
			version: 1,
			data,
			locale: 'en-US',
			entitlements: [],
			attachment_size_limit: 10_485_760,
			app_permissions: '0',
		};
		if (guild && channel) {
			const permissions = computeChannelPermissions(guild, channel, user.id);
			payload.guild_id = guild.id;
			payload.guild = { id: guild.id, features: [], locale: 'en-US' };
			payload.guild_locale = 'en-US';
			payload.channel_id = channel.id;
			payload.channel = { id: channel.id, type: channel.type, guild_id: guild.id, name: channel.name };
			payload.member = { ...this.memberPayload(guild, user.id), permissions: permissions.toString() };
			payload.app_permissions = computeChannelPermissions(guild, channel, this.botUser.id).toString();
			payload.authorizing_integration_owners = { '0': guild.id };
			payload.context = 0;
		} else {
			payload.user = this.userPayload(user);
			payload.channel_id = record.channelId;
			payload.channel = { id: record.channelId, type: 1 };
			payload.authorizing_integration_owners = { '1': user.id };
			payload.context = 1;
		}
		if (message) payload.message = this.messagePayload(message);

		const timer = setTimeout(() => {
			this.timers.delete(timer);
			if (!record.ack) {
				record.expired = true;
				this.violate('no-ack', `interaction ${id} got no initial response within ${this.ackDeadlineMs} ms`, id);
				record.resolveAck('expired');
			}
		}, this.ackDeadlineMs);
		this.timers.add(timer);

		const shardCount = [...this.sessions.values()].find((session) => session.socket)?.shard[1] ?? 1;
		const shardId = shardForGuild(guild?.id ?? null, shardCount);
		const session = this.latestSession(shardId);
		if (!session) throw new StandInUsageError(`no bot is connected for shard ${shardId}`);
		this.dispatch(session, 'INTERACTION_CREATE', payload);
		return record;
	}

	private latestSession(shardId: number): GatewaySession | undefined {
		const candidates = [...this.sessions.values()].filter((session) => session.shard[0] === shardId);
		return candidates.find((session) => session.socket) ?? candidates.at(-1);
	}

	private dispatchToGuild(guildId: string, event: string, data: Json): void {
		for (const session of this.sessions.values()) {
			if (session.socket && shardForGuild(guildId, session.shard[1]) === session.shard[0])
				this.dispatch(session, event, data);
		}
	}

	// ---------------------------------------------------------------- gateway

	private handleSocket(socket: WebSocket): void {
		let session: GatewaySession | null = null;
		socket.send(JSON.stringify({ op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.heartbeatIntervalMs } }));
		socket.on('message', (raw) => {
			let packet: Json;
			try {
				packet = JSON.parse(raw.toString()) as Json;
			} catch {
				socket.close(4002, 'Decode error');
				return;
			}
			const data = isObject(packet.d) ? packet.d : {};
			switch (packet.op) {
				case GatewayOpcodes.Heartbeat:
					if (this.ackHeartbeats) socket.send(JSON.stringify({ op: GatewayOpcodes.HeartbeatAck }));
					break;
				case GatewayOpcodes.Identify: {
					if (data.token !== this.token) {
						socket.close(4004, 'Authentication failed');
						return;
					}
					const shardData = Array.isArray(data.shard) ? data.shard : [0, 1];
					const shard = [Number(shardData[0] ?? 0), Number(shardData[1] ?? 1)] as const;
					for (const [id, old] of this.sessions) if (old.shard[0] === shard[0] && !old.socket) this.sessions.delete(id);
					session = { sessionId: `session-${this.ids.next()}`, shard, seq: 0, socket, sent: [], pending: [] };
					this.sessions.set(session.sessionId, session);
					const owned = [...this.guilds.values()].filter((guild) => shardForGuild(guild.id, shard[1]) === shard[0]);
					this.dispatch(session, 'READY', {
						v: 10,
						user: { ...this.userPayload(this.botUser), bot: true, verified: true, flags: 0 },
						guilds: owned.map((guild) => ({ id: guild.id, unavailable: true })),
						session_id: session.sessionId,
						resume_gateway_url: `ws://127.0.0.1:${this.port}/gateway`,
						shard,
						application: { id: this.applicationId, flags: 0 },
					});
					for (const guild of owned) this.dispatch(session, 'GUILD_CREATE', this.guildPayload(guild));
					this.emit('identify', shard);
					break;
				}
				case GatewayOpcodes.Resume: {
					const existing = this.sessions.get(String(data.session_id));
					if (!existing || data.token !== this.token) {
						socket.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: false }));
						return;
					}
					session = existing;
					existing.socket = socket;
					const seq = Number(data.seq ?? 0);
					for (const sent of existing.sent) if (sent.s > seq) socket.send(JSON.stringify(sent.payload));
					this.dispatch(existing, 'RESUMED', null);
					const pending = existing.pending.splice(0);
					for (const payload of pending) this.dispatch(existing, String(payload.t), payload.d as Json);
					this.emit('resume', existing.shard);
					break;
				}
				default:
					break;
			}
		});
		socket.on('close', () => {
			if (session && session.socket === socket) session.socket = null;
		});
	}

	private dispatch(session: GatewaySession, event: string, data: Json | null): void {
		if (session.socket?.readyState !== 1) {
			session.pending.push({ t: event, d: data });
			return;
		}
		session.seq += 1;
		const payload = { op: GatewayOpcodes.Dispatch, t: event, s: session.seq, d: data };
		session.sent.push({ s: session.seq, payload });
		if (session.sent.length > 5000) session.sent.splice(0, session.sent.length - 5000);
		session.socket.send(JSON.stringify(payload));
	}

	// ---------------------------------------------------------------- REST

	private async handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const url = new URL(request.url ?? '/', 'http://127.0.0.1');
		const rawPath = url.pathname;
		if (rawPath.startsWith('/attachments/')) {
			this.serveAttachment(rawPath, response);
			return;
		}
		const path = decodeURIComponent(rawPath.replace(/^\/api(\/v\d+)?/, ''));
		const authorization = request.headers.authorization;
		const auth: RecordedRequest['auth'] =
			authorization === undefined ? 'none' : authorization === `Bot ${this.token}` ? 'bot' : 'wrong';
		let body: unknown = null;
		let files: { field: string; name: string; type: string; data: Buffer }[] = [];
		try {
			({ body, files } = await readBody(request));
		} catch {
			this.send(response, 400, { code: 50109, message: 'The request body contains invalid JSON.' });
			return;
		}
		const record: RecordedRequest = {
			at: Date.now(),
			method: request.method ?? 'GET',
			path,
			query: url.search,
			auth,
			body,
			files: files.map((file) => ({ name: file.name, size: file.data.length })),
			status: 0,
		};
		this.traffic.push(record);
		if (this.traffic.length > 20_000) this.traffic.splice(0, 5_000);
		const reply = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
			record.status = status;
			this.send(response, status, payload, headers);
		};

		const fault = this.faults.find(
			(candidate) =>
				candidate.times > 0 && (!candidate.method || candidate.method === record.method) && candidate.path.test(path),
		);
		if (fault) {
			fault.times -= 1;
			const headers: Record<string, string> = {};
			if (fault.retryAfterSeconds !== undefined) {
				headers['retry-after'] = String(fault.retryAfterSeconds);
				headers['x-ratelimit-scope'] = 'user';
			}
			reply(
				fault.status,
				{ code: fault.code ?? 0, message: fault.message ?? 'injected fault', retry_after: fault.retryAfterSeconds },
				headers,
			);
			return;
		}

		try {
			const result = await this.route(record, body, files, url);
			reply(result.status, result.body);
		} catch (error) {
			reply(500, { code: 0, message: error instanceof Error ? error.message : String(error) });
		}
	}

	private send(
		response: ServerResponse,
		status: number,
		payload?: unknown,
		headers: Record<string, string> = {},
	): void {
		if (status === 204 || payload === undefined) {
			response.writeHead(status === 200 ? 204 : status, headers);
			response.end();
			return;
		}
		response.writeHead(status, { 'content-type': 'application/json', ...headers });
		response.end(JSON.stringify(payload));
	}

	private serveAttachment(path: string, response: ServerResponse): void {
		const [, , messageId, attachmentId] = path.split('/');
		const attachment = this.messages.get(messageId ?? '')?.attachments.find((item) => item.id === attachmentId);
		if (!attachment) {
			this.send(response, 404, { code: 0, message: 'not found' });
			return;
		}
		response.writeHead(200, { 'content-type': attachment.contentType });
		response.end(attachment.data);
	}

	private async route(
		record: RecordedRequest,
		body: unknown,
		files: UploadedFile[],
		url: URL,
	): Promise<{ status: number; body?: unknown }> {
		const { method, path } = record;
		const segments = path.split('/').filter(Boolean);
		const json = isObject(body) ? body : {};
		const requireBot = () =>
			record.auth === 'bot' ? null : { status: 401, body: { code: 0, message: '401: Unauthorized' } };

		// Interaction callback and webhook routes are authorised by the interaction token, not the bot token.
		if (segments[0] === 'interactions' && segments[3] === 'callback' && method === 'POST') {
			return this.interactionCallback(
				segments[1] ?? '',
				segments[2] ?? '',
				json,
				files,
				url.searchParams.get('with_response') === 'true',
			);
		}
		if (segments[0] === 'webhooks' && segments[1] === this.applicationId) {
			return this.webhookRoute(
				method,
				segments[2] ?? '',
				segments[3] === 'messages' ? (segments[4] ?? null) : null,
				json,
				files,
			);
		}

		const unauthorised = requireBot();
		if (unauthorised) return unauthorised;

		if (method === 'GET' && path === '/gateway/bot') {
			return {
				status: 200,
				body: {
					url: `ws://127.0.0.1:${this.port}/gateway`,
					shards: this.recommendedShards,
					session_start_limit: { total: 1000, remaining: 1000, reset_after: 86_400_000, max_concurrency: 16 },
				},
			};
		}
		if (method === 'GET' && path === '/gateway')
			return { status: 200, body: { url: `ws://127.0.0.1:${this.port}/gateway` } };
		if (method === 'GET' && path === '/users/@me') return { status: 200, body: this.userPayload(this.botUser) };
		if (method === 'GET' && path === '/applications/@me') {
			return {
				status: 200,
				body: {
					id: this.applicationId,
					name: this.botUser.username,
					icon: null,
					description: '',
					bot_public: true,
					bot_require_code_grant: false,
					verify_key: 'stand-in',
					flags: 0,
					team: null,
				},
			};
		}
		if (segments[0] === 'applications' && segments[1] === this.applicationId) {
			return this.commandsRoute(method, segments, body);
		}
		if (segments[0] === 'channels' && segments[1])
			return this.channelRoute(
				method,
				segments[1],
				segments[2] === 'messages' ? (segments[3] ?? null) : undefined,
				json,
				files,
			);
		if (segments[0] === 'guilds' && segments[1]) {
			const guild = this.guilds.get(segments[1]);
			if (!guild) return { status: 404, body: { code: 10004, message: 'Unknown Guild' } };
			if (method === 'GET' && segments.length === 2) {
				const counts =
					url.searchParams.get('with_counts') === 'true'
						? {
								approximate_member_count: guild.approximateMemberCount ?? guild.members.size,
								approximate_presence_count: guild.members.size,
							}
						: {};
				return { status: 200, body: { ...this.guildPayload(guild), ...counts } };
			}
			if (method === 'GET' && segments[2] === 'members' && segments[3]) {
				if (!guild.members.has(segments[3])) return { status: 404, body: { code: 10007, message: 'Unknown Member' } };
				return { status: 200, body: this.memberPayload(guild, segments[3]) };
			}
			if (method === 'GET' && segments[2] === 'channels') {
				// Discord omits the channels the bot cannot view from this list (channel obfuscation, 2026).
				const visible = [...guild.channels.values()].filter(
					(channel) =>
						(computeChannelPermissions(guild, channel, this.botUser.id) & PermissionFlagsBits.ViewChannel) !== 0n,
				);
				return { status: 200, body: visible.map((channel) => this.channelPayload(channel)) };
			}
			if (method === 'GET' && segments[2] === 'roles')
				return { status: 200, body: [...guild.roles.values()].map((role) => this.rolePayload(role)) };
		}
		return { status: 404, body: { code: 0, message: `404: Not Found (the stand-in has no route ${method} ${path})` } };
	}

	private commandsRoute(method: string, segments: string[], body: unknown): { status: number; body?: unknown } {
		const guildId = segments[2] === 'guilds' ? (segments[3] ?? null) : null;
		const isList = guildId
			? segments[4] === 'commands' && segments.length === 5
			: segments[2] === 'commands' && segments.length === 3;
		if (!isList) return { status: 404, body: { code: 0, message: 'unsupported commands route' } };
		if (guildId && !this.guilds.has(guildId)) return { status: 404, body: { code: 10004, message: 'Unknown Guild' } };
		let target = this.globalCommands;
		if (guildId) {
			target = this.guildCommands.get(guildId) ?? new Map<string, Json>();
			this.guildCommands.set(guildId, target);
		}
		if (method === 'GET') return { status: 200, body: [...target.values()] };
		if (method !== 'PUT' || !Array.isArray(body))
			return { status: 400, body: { code: 50035, message: 'Invalid Form Body' } };
		const problems = body.flatMap((command, index) => validateCommandDefinition(command, index));
		if (problems.length > 0) {
			this.violate('limits', `command registration rejected: ${problems.join('; ')}`);
			return { status: 400, body: { code: 50035, message: `Invalid Form Body: ${problems.join('; ')}` } };
		}
		target.clear();
		for (const command of body as Json[]) {
			const stored: Json = {
				...command,
				id: this.ids.next(),
				application_id: this.applicationId,
				version: this.ids.next(),
				type: command.type ?? 1,
				default_member_permissions: command.default_member_permissions ?? null,
			};
			if (guildId) stored.guild_id = guildId;
			target.set(String(command.name), stored);
		}
		this.emit('commands', guildId);
		return { status: 200, body: [...target.values()] };
	}

	private interactionCallback(
		interactionId: string,
		token: string,
		body: Json,
		files: UploadedFile[],
		withResponse: boolean,
	): { status: number; body?: unknown } {
		const record = this.interactions.get(interactionId);
		if (!record || record.token !== token)
			return { status: 404, body: { code: 10062, message: 'Unknown interaction' } };
		if (record.expired || Date.now() - record.createdAt > this.ackDeadlineMs) {
			record.expired = true;
			this.violate(
				'late-ack',
				`initial response to ${interactionId} came after ${Date.now() - record.createdAt} ms (limit ${this.ackDeadlineMs} ms)`,
				interactionId,
			);
			return { status: 404, body: { code: 10062, message: 'Unknown interaction' } };
		}
		if (record.ack) {
			this.violate(
				'double-ack',
				`interaction ${interactionId} was already acknowledged (type ${record.ack.type}); second callback type ${String(body.type)}`,
				interactionId,
			);
			return { status: 400, body: { code: 40060, message: 'Interaction has already been acknowledged.' } };
		}
		const type = Number(body.type) as InteractionResponseType;
		const data = isObject(body.data) ? body.data : {};
		let message: MessageState | null = null;
		switch (type) {
			case InteractionResponseType.ChannelMessageWithSource: {
				const problem = this.checkOutgoing(data, files, interactionId);
				if (problem) return problem;
				message = this.createMessage(record, data, files, false);
				record.originalMessageId = message.id;
				break;
			}
			case InteractionResponseType.DeferredChannelMessageWithSource:
				message = this.createMessage(
					record,
					{ content: '', flags: (Number(data.flags ?? 0) & MessageFlags.Ephemeral) | MessageFlags.Loading },
					[],
					true,
				);
				record.originalMessageId = message.id;
				break;
			case InteractionResponseType.DeferredMessageUpdate:
			case InteractionResponseType.UpdateMessage: {
				if (record.type !== InteractionType.MessageComponent && record.type !== InteractionType.ModalSubmit) {
					return { status: 400, body: { code: 40094, message: 'This interaction type cannot update a message' } };
				}
				record.originalMessageId = record.sourceMessageId;
				if (type === InteractionResponseType.UpdateMessage) {
					const problem = this.checkOutgoing(data, files, interactionId);
					if (problem) return problem;
					const source = record.sourceMessageId ? this.messages.get(record.sourceMessageId) : undefined;
					if (source) message = this.applyEdit(source, data, files);
				}
				break;
			}
			case InteractionResponseType.ApplicationCommandAutocompleteResult: {
				if (record.type !== InteractionType.ApplicationCommandAutocomplete)
					return { status: 400, body: { code: 50035, message: 'not an autocomplete interaction' } };
				const problems = checkAutocompleteChoices(data.choices);
				if (problems.length > 0) {
					this.violate('limits', problems.join('; '), interactionId);
					return { status: 400, body: { code: 50035, message: `Invalid Form Body: ${problems.join('; ')}` } };
				}
				break;
			}
			case InteractionResponseType.Modal:
				break;
			default:
				return { status: 400, body: { code: 50035, message: `unsupported callback type ${String(body.type)}` } };
		}
		record.ack = { type, at: Date.now() };
		const kinds: Partial<Record<InteractionResponseType, BotOutputKind>> = {
			[InteractionResponseType.ChannelMessageWithSource]: 'reply',
			[InteractionResponseType.DeferredChannelMessageWithSource]: 'defer',
			[InteractionResponseType.DeferredMessageUpdate]: 'defer-update',
			[InteractionResponseType.UpdateMessage]: 'update',
			[InteractionResponseType.ApplicationCommandAutocompleteResult]: 'autocomplete',
			[InteractionResponseType.Modal]: 'modal',
		};
		this.output(record, kinds[type] ?? 'reply', message, {
			...(type === InteractionResponseType.ApplicationCommandAutocompleteResult
				? { choices: Array.isArray(data.choices) ? (data.choices as { name: string; value: unknown }[]) : [] }
				: {}),
			...(type === InteractionResponseType.Modal ? { modal: data } : {}),
		});
		record.resolveAck(type);
		if (!withResponse) return { status: 204 };
		return {
			status: 200,
			body: {
				interaction: {
					id: record.id,
					type: record.type,
					response_message_id: message?.id,
					response_message_loading: type === InteractionResponseType.DeferredChannelMessageWithSource,
					response_message_ephemeral: message ? (message.flags & MessageFlags.Ephemeral) !== 0 : false,
				},
				...(message ? { resource: { type, message: this.messagePayload(message) } } : { resource: { type } }),
			},
		};
	}

	private webhookRoute(
		method: string,
		token: string,
		messageRef: string | null,
		body: Json,
		files: UploadedFile[],
	): { status: number; body?: unknown } {
		const record = this.interactionsByToken.get(token);
		if (!record) return { status: 404, body: { code: 10015, message: 'Unknown Webhook' } };
		if (Date.now() - record.createdAt > 15 * 60_000)
			return { status: 401, body: { code: 50027, message: 'Invalid Webhook Token' } };
		if (!record.ack) {
			this.violate('webhook-before-ack', `${method} on the interaction webhook before any initial response`, record.id);
			return { status: 404, body: { code: 10015, message: 'Unknown Webhook' } };
		}
		if (messageRef === null) {
			if (method !== 'POST') return { status: 405, body: { code: 0, message: 'Method Not Allowed' } };
			const problem = this.checkOutgoing(body, files, record.id);
			if (problem) return problem;
			const message = this.createMessage(record, body, files, false);
			this.output(record, 'followup', message);
			return { status: 200, body: this.messagePayload(message) };
		}
		const messageId = messageRef === '@original' ? record.originalMessageId : messageRef;
		const message = messageId ? this.messages.get(messageId) : undefined;
		if (!message || message.deleted) return { status: 404, body: { code: 10008, message: 'Unknown Message' } };
		if (method === 'GET') return { status: 200, body: this.messagePayload(message) };
		if (method === 'DELETE') {
			message.deleted = true;
			this.output(record, 'delete', message);
			return { status: 204 };
		}
		if (method !== 'PATCH') return { status: 405, body: { code: 0, message: 'Method Not Allowed' } };
		const problem = this.checkOutgoing(body, files, record.id, true);
		if (problem) return problem;
		const edited = this.applyEdit(message, body, files);
		this.output(record, 'edit-original', edited);
		return { status: 200, body: this.messagePayload(edited) };
	}

	private channelRoute(
		method: string,
		channelId: string,
		messageRef: string | null | undefined,
		body: Json,
		files: UploadedFile[],
	): { status: number; body?: unknown } {
		const guild = [...this.guilds.values()].find((candidate) => candidate.channels.has(channelId));
		const channel = guild?.channels.get(channelId);
		if (!guild || !channel) return { status: 404, body: { code: 10003, message: 'Unknown Channel' } };
		const permissions = computeChannelPermissions(guild, channel, this.botUser.id);
		const missing = (flag: bigint) => (permissions & flag) !== flag;
		if (missing(PermissionFlagsBits.ViewChannel))
			return { status: 403, body: { code: 50001, message: 'Missing Access' } };
		if (messageRef === undefined) {
			if (method === 'GET') return { status: 200, body: this.channelPayload(channel) };
			return { status: 404, body: { code: 0, message: 'unsupported channel route' } };
		}
		if (messageRef === null) {
			if (method !== 'POST') return { status: 405, body: { code: 0, message: 'Method Not Allowed' } };
			if (missing(PermissionFlagsBits.SendMessages) || (files.length > 0 && missing(PermissionFlagsBits.AttachFiles))) {
				return { status: 403, body: { code: 50013, message: 'Missing Permissions' } };
			}
			const problem = this.checkOutgoing(body, files, undefined);
			if (problem) return problem;
			const message = this.createMessage(null, body, files, false, { guildId: guild.id, channelId });
			this.output(null, 'channel-post', message);
			return { status: 200, body: this.messagePayload(message) };
		}
		const message = this.messages.get(messageRef);
		if (!message || message.deleted || message.channelId !== channelId || message.visibleTo !== null) {
			return { status: 404, body: { code: 10008, message: 'Unknown Message' } };
		}
		if (method === 'GET') return { status: 200, body: this.messagePayload(message) };
		if (method === 'DELETE') {
			message.deleted = true;
			this.output(null, 'delete', message);
			return { status: 204 };
		}
		if (method !== 'PATCH') return { status: 405, body: { code: 0, message: 'Method Not Allowed' } };
		if (files.length > 0 && missing(PermissionFlagsBits.AttachFiles))
			return { status: 403, body: { code: 50013, message: 'Missing Permissions' } };
		const problem = this.checkOutgoing(body, files, undefined, true);
		if (problem) return problem;
		const edited = this.applyEdit(message, body, files);
		this.output(null, 'channel-edit', edited);
		return { status: 200, body: this.messagePayload(edited) };
	}

	/** Discord's limits and our house rule on mentions, for every message the bot sends or edits. */
	private checkOutgoing(
		body: Json,
		files: UploadedFile[],
		interactionId: string | undefined,
		isEdit = false,
	): { status: number; body: unknown } | null {
		const mentionProblem = checkAllowedMentions(body);
		if (mentionProblem) this.violate('allowed-mentions', mentionProblem, interactionId);
		const problems = checkMessageLimits(body);
		if (problems.length > 0) {
			this.violate('limits', problems.join('; '), interactionId);
			return { status: 400, body: { code: 50035, message: `Invalid Form Body: ${problems.join('; ')}` } };
		}
		const empty =
			!body.content &&
			!(Array.isArray(body.embeds) && body.embeds.length > 0) &&
			!(Array.isArray(body.components) && body.components.length > 0) &&
			files.length === 0;
		if (empty && !isEdit) {
			this.violate('empty-message', 'the bot tried to send an empty message', interactionId);
			return { status: 400, body: { code: 50006, message: 'Cannot send an empty message' } };
		}
		return null;
	}

	private createMessage(
		record: InteractionRecord | null,
		body: Json,
		files: UploadedFile[],
		loading: boolean,
		where?: { guildId: string; channelId: string },
	): MessageState {
		const flags = Number(body.flags ?? 0);
		const ephemeral = (flags & MessageFlags.Ephemeral) !== 0;
		const message: MessageState = {
			id: this.ids.next(),
			channelId: where?.channelId ?? record?.channelId ?? '',
			guildId: where?.guildId ?? record?.guildId ?? null,
			content: typeof body.content === 'string' ? body.content : '',
			embeds: Array.isArray(body.embeds) ? body.embeds : [],
			components: Array.isArray(body.components) ? body.components : [],
			attachments: this.attachmentsFrom(body, files, []),
			flags: loading ? flags : flags & (MessageFlags.Ephemeral | MessageFlags.SuppressEmbeds),
			visibleTo: ephemeral && record ? record.userId : null,
			interactionId: record?.id ?? null,
			interactionUserId: record?.userId ?? null,
			createdAt: Date.now(),
			editedAt: null,
			deleted: false,
			edits: 0,
		};
		this.messages.set(message.id, message);
		return message;
	}

	private applyEdit(message: MessageState, body: Json, files: UploadedFile[]): MessageState {
		if ('content' in body) message.content = typeof body.content === 'string' ? body.content : '';
		if ('embeds' in body) message.embeds = Array.isArray(body.embeds) ? body.embeds : [];
		if ('components' in body) message.components = Array.isArray(body.components) ? body.components : [];
		if ('attachments' in body || files.length > 0)
			message.attachments = this.attachmentsFrom(body, files, message.attachments);
		message.flags &= ~MessageFlags.Loading;
		message.editedAt = Date.now();
		message.edits += 1;
		return message;
	}

	private attachmentsFrom(body: Json, files: UploadedFile[], existing: AttachmentState[]): AttachmentState[] {
		const declared = Array.isArray(body.attachments) ? (body.attachments as Json[]) : null;
		const kept =
			declared === null
				? existing
				: existing.filter((attachment) => declared.some((item) => String(item.id) === attachment.id));
		const uploaded = files.map((file, index) => {
			const declaredEntry = declared?.find((item) => String(item.id) === String(index));
			return {
				id: this.ids.next(),
				filename: typeof declaredEntry?.filename === 'string' ? declaredEntry.filename : file.name,
				size: file.data.length,
				contentType: file.type || 'application/octet-stream',
				data: file.data,
			};
		});
		return [...kept, ...uploaded];
	}

	private output(
		record: InteractionRecord | null,
		kind: BotOutputKind,
		message: MessageState | null,
		extra: Partial<BotOutput> = {},
	): void {
		this.outputSeq += 1;
		const output: BotOutput = {
			seq: this.outputSeq,
			at: Date.now(),
			kind,
			interactionId: record?.id ?? null,
			message: message ? snapshot(message) : null,
			...extra,
		};
		record?.outputs.push(output);
		this.outputs.push(output);
		if (this.outputs.length > 20_000) this.outputs.splice(0, 5_000);
		this.emit('output', output);
	}

	private violate(rule: Violation['rule'], detail: string, interactionId?: string): void {
		const violation: Violation = { at: Date.now(), rule, detail, ...(interactionId ? { interactionId } : {}) };
		this.violations.push(violation);
		this.emit('violation', violation);
	}
}

interface UploadedFile {
	field: string;
	name: string;
	type: string;
	data: Buffer;
}

async function readBody(request: IncomingMessage): Promise<{ body: unknown; files: UploadedFile[] }> {
	const contentType = request.headers['content-type'] ?? '';
	if (contentType.startsWith('multipart/form-data')) {
		const webRequest = new Request('http://127.0.0.1/', {
			method: request.method ?? 'POST',
			headers: { 'content-type': contentType },
			body: Readable.toWeb(request) as ReadableStream,
			duplex: 'half',
		} as RequestInit);
		const form = await webRequest.formData();
		let body: unknown = {};
		const files: UploadedFile[] = [];
		for (const [field, value] of form.entries()) {
			if (field === 'payload_json' && typeof value === 'string') body = JSON.parse(value);
			else if (typeof value !== 'string')
				files.push({ field, name: value.name, type: value.type, data: Buffer.from(await value.arrayBuffer()) });
		}
		return { body, files };
	}
	const chunks: Buffer[] = [];
	for await (const chunk of request) chunks.push(chunk as Buffer);
	const text = Buffer.concat(chunks).toString('utf8');
	return { body: text.length > 0 ? JSON.parse(text) : null, files: [] };
}

function validateCommandDefinition(command: unknown, index: number): string[] {
	if (!isObject(command)) return [`commands[${index}] is not an object`];
	const problems: string[] = [];
	const name = typeof command.name === 'string' ? command.name : '';
	if (!/^[-_\p{L}\p{N}]{1,32}$/u.test(name) || name !== name.toLowerCase())
		problems.push(`commands[${index}].name ${JSON.stringify(name)} is invalid`);
	const description = typeof command.description === 'string' ? command.description : '';
	if (description.length < 1 || description.length > 100)
		problems.push(`/${name} description must be 1–100 characters`);
	const options = Array.isArray(command.options) ? command.options : [];
	if (options.length > 25) problems.push(`/${name} has more than 25 options`);
	return problems;
}

/** A copy of the message as it is now (edits replace arrays, so a shallow copy per level is enough; Buffers stay Buffers). */
function snapshot(message: MessageState): MessageState {
	return {
		...message,
		embeds: [...message.embeds],
		components: [...message.components],
		attachments: message.attachments.map((item) => ({ ...item })),
	};
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export { MODERATOR_PERMISSIONS };
