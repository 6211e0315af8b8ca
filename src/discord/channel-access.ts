import { ChannelType, DiscordAPIError, type Interaction, type REST, RESTJSONErrorCodes, Routes } from 'discord.js';
import { z } from 'zod';
import {
	NO_ACCESS,
	type PermissionOverwrite,
	type PollAccess,
	type PollChannel,
	permissionsWhere,
	pollAccess,
	type ServerMember,
} from '../domain/permissions.js';
import { UserFacingError } from '../errors.js';
import type { Logger } from '../logger.js';

/**
 * Who may do what with a poll is decided where the poll lives: the member's roles plus the overwrites of the poll's
 * channel. The interaction itself carries Discord's answer for the channel it was used in, so a vote or Results
 * click on the card costs nothing. For any other channel the overwrites are needed, and Parley's lean cache keeps
 * no channels (see src/bot.ts): they are read over REST, one request per server for all its channels, and kept
 * until the gateway says a channel of that server changed (or, as a safety net, for a few minutes).
 */

/** Where the overwrites come from: Discord's REST API in the bot, a fake in unit tests. */
export interface ChannelDirectory {
	/** The server's channels the bot can view (GET /guilds/{id}/channels), as Discord sends them. */
	guildChannels(guildId: string): Promise<unknown>;
	/** One channel or thread (GET /channels/{id}); null when Discord says it is unknown or hidden from the bot. */
	channel(channelId: string): Promise<unknown>;
}

export function restChannelDirectory(rest: REST): ChannelDirectory {
	return {
		guildChannels: (guildId) => rest.get(Routes.guildChannels(guildId)),
		async channel(channelId) {
			try {
				return await rest.get(Routes.channel(channelId));
			} catch (error) {
				if (
					error instanceof DiscordAPIError &&
					(error.code === RESTJSONErrorCodes.UnknownChannel || error.code === RESTJSONErrorCodes.MissingAccess)
				)
					return null;
				throw error;
			}
		},
	};
}

const PermissionBits = z
	.string()
	.regex(/^\d{1,20}$/)
	.transform((value) => BigInt(value));
const ApiOverwrite = z.object({
	id: z.string(),
	type: z.union([z.literal(0), z.literal(1)]),
	allow: PermissionBits,
	deny: PermissionBits,
});
const ApiChannel = z.object({
	id: z.string(),
	type: z.number().int(),
	parent_id: z.string().nullish(),
	permission_overwrites: z.array(ApiOverwrite).optional(),
});
type ApiChannel = z.infer<typeof ApiChannel>;

const THREAD_TYPES: ReadonlySet<number> = new Set([
	ChannelType.AnnouncementThread,
	ChannelType.PublicThread,
	ChannelType.PrivateThread,
]);

const UNKNOWN: PollChannel = Object.freeze({ kind: 'unknown' });
const NO_OVERWRITES: readonly PermissionOverwrite[] = Object.freeze([]);

function overwritesOf(channel: ApiChannel): readonly PermissionOverwrite[] {
	const list = channel.permission_overwrites ?? [];
	return list.length === 0
		? NO_OVERWRITES
		: list.map((overwrite) => ({
				id: overwrite.id,
				kind: overwrite.type === 0 ? 'role' : 'member',
				allow: overwrite.allow,
				deny: overwrite.deny,
			}));
}

interface GuildChannels {
	readonly fetchedAt: number;
	/** Channels by id; threads and channels missing from the list are added as they are looked up. */
	readonly channels: Map<string, PollChannel>;
}

export interface ChannelAccessOptions {
	readonly directory: ChannelDirectory;
	readonly logger: Logger;
	/** How long a server's overwrites are trusted without a gateway event (a safety net: events invalidate). */
	readonly ttlMs?: number;
	/** How many servers' overwrites are kept (least recently used go first). */
	readonly maxGuilds?: number;
	readonly now?: () => number;
}

export const PERMISSIONS_UNAVAILABLE =
	'Parley could not check your permissions in that poll’s channel just now (Discord did not answer). Please try again in a moment.';

export class ChannelAccess {
	private readonly guilds = new Map<string, Promise<GuildChannels>>();
	private readonly ttlMs: number;
	private readonly maxGuilds: number;
	private readonly now: () => number;

	constructor(private readonly options: ChannelAccessOptions) {
		this.ttlMs = options.ttlMs ?? 10 * 60_000;
		this.maxGuilds = options.maxGuilds ?? 1_000;
		this.now = options.now ?? Date.now;
	}

	/** A channel or thread of this server was created, changed or deleted (or the server itself): forget it. */
	invalidate(guildId: string): void {
		this.guilds.delete(guildId);
	}

	/** How many servers' overwrites are held (for tests and diagnostics). */
	get size(): number {
		return this.guilds.size;
	}

	/**
	 * What the member behind `interaction` may do with polls in each of these channels of the interaction's server.
	 * Throws a UserFacingError when Discord cannot be asked (nothing is assumed).
	 */
	async forMember(interaction: Interaction, channelIds: Iterable<string>): Promise<Map<string, PollAccess>> {
		const result = new Map<string, PollAccess>();
		const elsewhere: string[] = [];
		for (const channelId of new Set(channelIds)) {
			// Discord's own answer for the channel the interaction came from: roles, overwrites, timeout, all of it.
			if (channelId === interaction.channelId && interaction.memberPermissions)
				result.set(channelId, pollAccess(interaction.memberPermissions.bitfield));
			else elsewhere.push(channelId);
		}
		if (elsewhere.length === 0) return result;
		const member = serverMemberOf(interaction);
		if (!member) {
			for (const channelId of elsewhere) result.set(channelId, NO_ACCESS);
			return result;
		}
		let places: Map<string, PollChannel>;
		try {
			places = await this.places(member.guildId, elsewhere);
		} catch (error) {
			this.options.logger.warn(
				{ err: error, guildId: member.guildId },
				'could not read channel permissions from Discord; the member was asked to try again',
			);
			throw new UserFacingError(PERMISSIONS_UNAVAILABLE);
		}
		for (const channelId of elsewhere)
			result.set(channelId, pollAccess(permissionsWhere(member, places.get(channelId) ?? UNKNOWN)));
		return result;
	}

	/** Where each channel is, as far as its permissions go. */
	async places(guildId: string, channelIds: readonly string[]): Promise<Map<string, PollChannel>> {
		const guild = await this.guild(guildId);
		const missing = channelIds.filter((channelId) => !guild.channels.has(channelId));
		await Promise.all(
			missing.map(async (channelId) => {
				guild.channels.set(channelId, await this.lookUp(guild, channelId));
			}),
		);
		return new Map(channelIds.map((channelId) => [channelId, guild.channels.get(channelId) ?? UNKNOWN]));
	}

	private guild(guildId: string): Promise<GuildChannels> {
		const cached = this.guilds.get(guildId);
		if (cached) {
			// Most recently used last; an expired entry is dropped once it has loaded.
			this.guilds.delete(guildId);
			this.guilds.set(guildId, cached);
			return cached.then((entry) => {
				if (this.now() - entry.fetchedAt < this.ttlMs) return entry;
				if (this.guilds.get(guildId) === cached) this.guilds.delete(guildId);
				return this.guild(guildId);
			});
		}
		const loading = this.load(guildId);
		this.guilds.set(guildId, loading);
		loading.catch(() => {
			if (this.guilds.get(guildId) === loading) this.guilds.delete(guildId);
		});
		while (this.guilds.size > this.maxGuilds) {
			const oldest = this.guilds.keys().next();
			if (oldest.done) break;
			this.guilds.delete(oldest.value);
		}
		return loading;
	}

	private async load(guildId: string): Promise<GuildChannels> {
		const fetchedAt = this.now();
		const list = z.array(ApiChannel).parse(await this.options.directory.guildChannels(guildId));
		const channels = new Map<string, PollChannel>();
		for (const channel of list) channels.set(channel.id, { kind: 'channel', overwrites: overwritesOf(channel) });
		return { fetchedAt, channels };
	}

	/** A thread, or a channel the list did not have (created since, or hidden from the bot). */
	private async lookUp(guild: GuildChannels, channelId: string): Promise<PollChannel> {
		const raw = await this.options.directory.channel(channelId);
		if (raw === null) return UNKNOWN;
		const channel = ApiChannel.parse(raw);
		if (!THREAD_TYPES.has(channel.type)) return { kind: 'channel', overwrites: overwritesOf(channel) };
		const parent = channel.parent_id ? guild.channels.get(channel.parent_id) : undefined;
		if (parent?.kind !== 'channel') return UNKNOWN;
		return {
			kind: 'thread',
			private: channel.type === ChannelType.PrivateThread,
			parentOverwrites: parent.overwrites,
		};
	}
}

/** The member's roles and the server's, from the interaction and discord.js's role cache. */
function serverMemberOf(interaction: Interaction): ServerMember | null {
	const guild = interaction.guild;
	const member = interaction.member;
	if (!guild || !member) return null;
	const roleIds = Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
	const timedOutUntil =
		'communicationDisabledUntilTimestamp' in member
			? member.communicationDisabledUntilTimestamp
			: member.communication_disabled_until
				? Date.parse(member.communication_disabled_until)
				: null;
	return {
		guildId: guild.id,
		ownerId: guild.ownerId ?? null,
		userId: interaction.user.id,
		roleIds,
		rolePermissions: new Map(guild.roles.cache.map((role) => [role.id, role.permissions.bitfield])),
		timedOut: timedOutUntil !== null && timedOutUntil > Date.now(),
	};
}
