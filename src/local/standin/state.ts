import { PermissionFlagsBits } from 'discord-api-types/v10';
import type { SnowflakeGenerator } from './snowflake.js';

/** In-memory model of the parts of Discord the bot touches. Plain data; the server turns it into API payloads. */

export interface RoleState {
	id: string;
	name: string;
	permissions: bigint;
	position: number;
}

export interface ChannelOverwrite {
	id: string;
	type: 0 | 1; // 0 role, 1 member
	allow: bigint;
	deny: bigint;
}

export interface ChannelState {
	id: string;
	guildId: string;
	name: string;
	type: 0;
	position: number;
	overwrites: ChannelOverwrite[];
}

export interface UserState {
	id: string;
	username: string;
	globalName: string;
	bot: boolean;
}

export interface MemberState {
	userId: string;
	roles: string[];
	joinedAt: string;
}

export interface GuildState {
	id: string;
	name: string;
	ownerId: string;
	roles: Map<string, RoleState>;
	channels: Map<string, ChannelState>;
	members: Map<string, MemberState>;
	/**
	 * What `GET /guilds/{id}?with_counts=true` reports as `approximate_member_count`; the member list's size when
	 * unset. Tests set it to model Discord's estimate lagging behind members who just joined.
	 */
	approximateMemberCount?: number;
}

export interface AttachmentState {
	id: string;
	filename: string;
	size: number;
	contentType: string;
	data: Buffer;
}

export interface MessageState {
	id: string;
	channelId: string;
	guildId: string | null;
	content: string;
	embeds: unknown[];
	components: unknown[];
	attachments: AttachmentState[];
	flags: number;
	/** Set for ephemeral messages: only this user sees it. */
	visibleTo: string | null;
	/** The interaction whose response created it (for interaction_metadata). */
	interactionId: string | null;
	interactionUserId: string | null;
	createdAt: number;
	editedAt: number | null;
	deleted: boolean;
	edits: number;
}

export const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((all, flag) => all | flag, 0n);

/** What @everyone may do in the seeded servers: read, talk, use commands. */
export const EVERYONE_PERMISSIONS =
	PermissionFlagsBits.ViewChannel |
	PermissionFlagsBits.SendMessages |
	PermissionFlagsBits.ReadMessageHistory |
	PermissionFlagsBits.EmbedLinks |
	PermissionFlagsBits.AttachFiles |
	PermissionFlagsBits.AddReactions |
	PermissionFlagsBits.UseApplicationCommands |
	PermissionFlagsBits.UseExternalEmojis;

export const MODERATOR_PERMISSIONS =
	EVERYONE_PERMISSIONS |
	PermissionFlagsBits.ManageGuild |
	PermissionFlagsBits.ManageMessages |
	PermissionFlagsBits.ManageRoles |
	PermissionFlagsBits.KickMembers;

export const BOT_ROLE_PERMISSIONS =
	EVERYONE_PERMISSIONS | PermissionFlagsBits.EmbedLinks | PermissionFlagsBits.AttachFiles;

export function computeBasePermissions(guild: GuildState, userId: string): bigint {
	if (guild.ownerId === userId) return ALL_PERMISSIONS;
	const member = guild.members.get(userId);
	let permissions = guild.roles.get(guild.id)?.permissions ?? 0n;
	for (const roleId of member?.roles ?? []) permissions |= guild.roles.get(roleId)?.permissions ?? 0n;
	if ((permissions & PermissionFlagsBits.Administrator) !== 0n) return ALL_PERMISSIONS;
	return permissions;
}

/** Discord's permission algorithm: base permissions, then @everyone, role and member overwrites of the channel. */
export function computeChannelPermissions(guild: GuildState, channel: ChannelState, userId: string): bigint {
	const base = computeBasePermissions(guild, userId);
	if (base === ALL_PERMISSIONS) return base;
	let permissions = base;
	const everyone = channel.overwrites.find((overwrite) => overwrite.id === guild.id);
	if (everyone) permissions = (permissions & ~everyone.deny) | everyone.allow;
	const memberRoles = new Set(guild.members.get(userId)?.roles ?? []);
	let allow = 0n;
	let deny = 0n;
	for (const overwrite of channel.overwrites) {
		if (overwrite.type === 0 && memberRoles.has(overwrite.id)) {
			allow |= overwrite.allow;
			deny |= overwrite.deny;
		}
	}
	permissions = (permissions & ~deny) | allow;
	const own = channel.overwrites.find((overwrite) => overwrite.type === 1 && overwrite.id === userId);
	if (own) permissions = (permissions & ~own.deny) | own.allow;
	return permissions;
}

export interface GuildSeed {
	name: string;
	channels?: readonly string[];
	/** Extra roles besides @everyone and Moderator. */
	roles?: readonly string[];
}

/** A server the way a new community starts: #general and #debate, a Moderator role, the bot in it. */
export function createGuild(
	ids: SnowflakeGenerator,
	seed: GuildSeed,
	ownerId: string,
	botUserId: string,
	index = 0,
): GuildState {
	// Snowflakes minted in the same millisecond share `id >> 22`, and so a shard; a millisecond apart spreads
	// consecutive servers over the shards as Discord's real ids are.
	const id = ids.next(Date.now() + index);
	const guild: GuildState = { id, name: seed.name, ownerId, roles: new Map(), channels: new Map(), members: new Map() };
	guild.roles.set(id, { id, name: '@everyone', permissions: EVERYONE_PERMISSIONS, position: 0 });
	const moderatorRole = ids.next();
	guild.roles.set(moderatorRole, {
		id: moderatorRole,
		name: 'Moderator',
		permissions: MODERATOR_PERMISSIONS,
		position: 2,
	});
	const botRole = ids.next();
	guild.roles.set(botRole, { id: botRole, name: 'Parley', permissions: BOT_ROLE_PERMISSIONS, position: 3 });
	(seed.roles ?? ['Debaters']).forEach((name, index) => {
		const roleId = ids.next();
		guild.roles.set(roleId, { id: roleId, name, permissions: 0n, position: 1 + index / 10 });
	});
	(seed.channels ?? ['general', 'debate']).forEach((name, position) => {
		const channelId = ids.next();
		guild.channels.set(channelId, { id: channelId, guildId: id, name, type: 0, position, overwrites: [] });
	});
	const joinedAt = new Date().toISOString();
	guild.members.set(ownerId, { userId: ownerId, roles: [], joinedAt });
	guild.members.set(botUserId, { userId: botUserId, roles: [botRole], joinedAt });
	return guild;
}

export function findRole(guild: GuildState, name: string): RoleState | undefined {
	const wanted = name.replace(/^@/, '').toLowerCase();
	return [...guild.roles.values()].find((role) => role.name.replace(/^@/, '').toLowerCase() === wanted);
}
