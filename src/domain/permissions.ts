/**
 * Discord's permission algorithm, and what it means for a poll: who can see a poll and who moderates it. Pure: the
 * caller brings the server's roles, the member's roles and the channel's overwrites (from the interaction, the
 * cache or the API), and nothing here talks to Discord.
 *
 * The algorithm is Discord's own (developers/topics/permissions, "Permission Overwrites"): the server owner and
 * Administrator have everything; otherwise the @everyone role and the member's roles are added up, then the
 * channel's @everyone overwrite, the member's roles' overwrites (all denies, then all allows) and the member's own
 * overwrite are applied in that order. A member in timeout keeps only View Channel and Read Message History.
 */

/** The permission bits Parley reads (Discord's values; `tests/domain/permissions.test.ts` checks them). */
export const Permission = {
	Administrator: 1n << 3n,
	ViewChannel: 1n << 10n,
	ManageMessages: 1n << 13n,
	ReadMessageHistory: 1n << 16n,
	ManageThreads: 1n << 34n,
} as const;

/** Every permission, as the server owner and Administrator hold them. */
export const ALL_PERMISSIONS = (1n << 64n) - 1n;

export interface PermissionOverwrite {
	/** A role id (the server's id for @everyone) or a member's user id. */
	readonly id: string;
	readonly kind: 'role' | 'member';
	readonly allow: bigint;
	readonly deny: bigint;
}

/** A member of a server, as far as permissions go. */
export interface ServerMember {
	readonly guildId: string;
	/** Null when the server's owner is not known: nobody is treated as the owner then. */
	readonly ownerId: string | null;
	readonly userId: string;
	readonly roleIds: readonly string[];
	/** Permissions of the server's roles by id, @everyone (the server's id) included. */
	readonly rolePermissions: ReadonlyMap<string, bigint>;
	/** In timeout (communication disabled) right now. */
	readonly timedOut: boolean;
}

/** Where a poll lives, as Parley could find out. */
export type PollChannel =
	| { readonly kind: 'channel'; readonly overwrites: readonly PermissionOverwrite[] }
	/** A thread takes its parent channel's permissions; a private one shows only to its members. */
	| { readonly kind: 'thread'; readonly private: boolean; readonly parentOverwrites: readonly PermissionOverwrite[] }
	/** Deleted, or hidden from the bot (Discord then tells the bot nothing about it). */
	| { readonly kind: 'unknown' };

const has = (permissions: bigint, flag: bigint) => (permissions & flag) === flag;

/** The member's permissions from their roles alone (no channel). */
export function serverPermissions(member: ServerMember): bigint {
	if (member.ownerId !== null && member.ownerId === member.userId) return ALL_PERMISSIONS;
	let permissions = member.rolePermissions.get(member.guildId) ?? 0n;
	for (const roleId of member.roleIds) permissions |= member.rolePermissions.get(roleId) ?? 0n;
	return has(permissions, Permission.Administrator) ? ALL_PERMISSIONS : permissions;
}

function inTimeout(member: ServerMember, permissions: bigint): bigint {
	if (!member.timedOut || permissions === ALL_PERMISSIONS) return permissions;
	return permissions & (Permission.ViewChannel | Permission.ReadMessageHistory);
}

/** The member's permissions in a channel with these overwrites. */
export function channelPermissions(member: ServerMember, overwrites: readonly PermissionOverwrite[]): bigint {
	const base = serverPermissions(member);
	if (base === ALL_PERMISSIONS) return base;
	let permissions = base;
	const everyone = overwrites.find((overwrite) => overwrite.kind === 'role' && overwrite.id === member.guildId);
	if (everyone) permissions = (permissions & ~everyone.deny) | everyone.allow;
	const roles = new Set(member.roleIds);
	let allow = 0n;
	let deny = 0n;
	for (const overwrite of overwrites) {
		if (overwrite.kind === 'role' && overwrite.id !== member.guildId && roles.has(overwrite.id)) {
			allow |= overwrite.allow;
			deny |= overwrite.deny;
		}
	}
	permissions = (permissions & ~deny) | allow;
	const own = overwrites.find((overwrite) => overwrite.kind === 'member' && overwrite.id === member.userId);
	if (own) permissions = (permissions & ~own.deny) | own.allow;
	return inTimeout(member, permissions);
}

/**
 * The member's permissions where a poll lives. A private thread's membership is not known here, so another
 * channel's view of it needs Manage Threads (its moderators); a member inside the thread is judged by Discord's
 * own answer instead. A channel Parley cannot see any more is left to the server's moderators: those with Manage
 * Messages from their roles.
 */
export function permissionsWhere(member: ServerMember, where: PollChannel): bigint {
	switch (where.kind) {
		case 'channel':
			return channelPermissions(member, where.overwrites);
		case 'thread': {
			const permissions = channelPermissions(member, where.parentOverwrites);
			return where.private && !has(permissions, Permission.ManageThreads)
				? permissions & ~Permission.ViewChannel
				: permissions;
		}
		case 'unknown': {
			const permissions = inTimeout(member, serverPermissions(member));
			return has(permissions, Permission.ManageMessages) ? permissions : 0n;
		}
	}
}

/** What a member may do with a poll, decided by their permissions in the poll's channel. */
export interface PollAccess {
	/** May know the poll exists: list it, offer it as they type, show its results. */
	readonly canSee: boolean;
	/**
	 * A moderator of the poll (Manage Messages where it lives): may close it, see voters of a poll that is not
	 * anonymous, and see a hidden count before the close.
	 */
	readonly isModerator: boolean;
}

export function pollAccess(permissionsInPollChannel: bigint): PollAccess {
	// Without View Channel a member has no other permission in a channel either (Discord's implicit denial).
	const canSee = has(permissionsInPollChannel, Permission.ViewChannel);
	return { canSee, isModerator: canSee && has(permissionsInPollChannel, Permission.ManageMessages) };
}

export const NO_ACCESS: PollAccess = Object.freeze({ canSee: false, isModerator: false });
