import { PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import {
	ALL_PERMISSIONS,
	channelPermissions,
	Permission,
	type PermissionOverwrite,
	permissionsWhere,
	pollAccess,
	type ServerMember,
	serverPermissions,
} from '../../src/domain/permissions.js';

const GUILD = '100';
const OWNER = '900';
const MODERATOR_ROLE = '201';
const HOST_ROLE = '202';
const ADMIN_ROLE = '203';
const { ViewChannel: VIEW, ManageMessages: MANAGE, ManageThreads: THREADS } = Permission;
const EVERYONE = VIEW | PermissionFlagsBits.SendMessages;

const roles = new Map<string, bigint>([
	[GUILD, EVERYONE],
	[MODERATOR_ROLE, MANAGE],
	[HOST_ROLE, 0n],
	[ADMIN_ROLE, Permission.Administrator],
]);

function member(userId: string, roleIds: string[] = [], extra: Partial<ServerMember> = {}): ServerMember {
	return { guildId: GUILD, ownerId: OWNER, userId, roleIds, rolePermissions: roles, timedOut: false, ...extra };
}

const role = (id: string, allow: bigint, deny = 0n): PermissionOverwrite => ({ id, kind: 'role', allow, deny });
const user = (id: string, allow: bigint, deny = 0n): PermissionOverwrite => ({ id, kind: 'member', allow, deny });

describe('Discord’s permission algorithm', () => {
	it('uses Discord’s own bit values', () => {
		expect(Permission.Administrator).toBe(PermissionFlagsBits.Administrator);
		expect(Permission.ViewChannel).toBe(PermissionFlagsBits.ViewChannel);
		expect(Permission.ManageMessages).toBe(PermissionFlagsBits.ManageMessages);
		expect(Permission.ReadMessageHistory).toBe(PermissionFlagsBits.ReadMessageHistory);
		expect(Permission.ManageThreads).toBe(PermissionFlagsBits.ManageThreads);
	});

	it('adds up @everyone and the member’s roles; owner and Administrator have everything', () => {
		expect(serverPermissions(member('1'))).toBe(EVERYONE);
		expect(serverPermissions(member('1', [MODERATOR_ROLE]))).toBe(EVERYONE | MANAGE);
		expect(serverPermissions(member('1', [ADMIN_ROLE]))).toBe(ALL_PERMISSIONS);
		expect(serverPermissions(member(OWNER))).toBe(ALL_PERMISSIONS);
		expect(serverPermissions(member(OWNER, [], { ownerId: null }))).toBe(EVERYONE);
	});

	it('applies @everyone, then role overwrites (deny before allow), then the member’s own', () => {
		const staffOnly = [role(GUILD, 0n, VIEW), role(MODERATOR_ROLE, VIEW)];
		expect(channelPermissions(member('1'), staffOnly) & VIEW).toBe(0n);
		expect(channelPermissions(member('1', [MODERATOR_ROLE]), staffOnly) & VIEW).toBe(VIEW);
		// One role denies, another allows: the allow wins (all denies are applied before all allows).
		const mixed = [role(HOST_ROLE, 0n, VIEW), role(MODERATOR_ROLE, VIEW)];
		expect(channelPermissions(member('1', [HOST_ROLE, MODERATOR_ROLE]), mixed) & VIEW).toBe(VIEW);
		// The member's own overwrite beats every role.
		expect(channelPermissions(member('1', [MODERATOR_ROLE]), [...staffOnly, user('1', 0n, VIEW)]) & VIEW).toBe(0n);
		expect(channelPermissions(member('2'), [...staffOnly, user('2', VIEW)]) & VIEW).toBe(VIEW);
		// An overwrite for a role the member does not have changes nothing.
		expect(channelPermissions(member('1'), [role(HOST_ROLE, MANAGE)])).toBe(EVERYONE);
		expect(channelPermissions(member('1', [HOST_ROLE]), [role(HOST_ROLE, MANAGE)])).toBe(EVERYONE | MANAGE);
		// Administrator ignores overwrites.
		expect(channelPermissions(member('1', [ADMIN_ROLE]), staffOnly)).toBe(ALL_PERMISSIONS);
	});

	it('leaves a member in timeout only View Channel and Read Message History', () => {
		const timedOut = member('1', [MODERATOR_ROLE], { timedOut: true });
		expect(channelPermissions(timedOut, [])).toBe(VIEW);
		expect(pollAccess(channelPermissions(timedOut, []))).toEqual({ canSee: true, isModerator: false });
		expect(channelPermissions(member(OWNER, [], { timedOut: true }), [])).toBe(ALL_PERMISSIONS);
	});

	it('takes a thread’s permissions from its parent; a private one needs Manage Threads from outside', () => {
		const parent = [role(HOST_ROLE, MANAGE)];
		const host = member('1', [HOST_ROLE]);
		expect(permissionsWhere(host, { kind: 'thread', private: false, parentOverwrites: parent })).toBe(
			EVERYONE | MANAGE,
		);
		expect(permissionsWhere(host, { kind: 'thread', private: true, parentOverwrites: parent }) & VIEW).toBe(0n);
		const threadModerator = [role(HOST_ROLE, MANAGE | THREADS)];
		expect(
			pollAccess(permissionsWhere(host, { kind: 'thread', private: true, parentOverwrites: threadModerator })),
		).toEqual({ canSee: true, isModerator: true });
	});

	it('leaves a channel Parley cannot see to the server’s moderators', () => {
		const gone = { kind: 'unknown' } as const;
		expect(pollAccess(permissionsWhere(member('1'), gone))).toEqual({ canSee: false, isModerator: false });
		expect(pollAccess(permissionsWhere(member('1', [HOST_ROLE]), gone))).toEqual({ canSee: false, isModerator: false });
		expect(pollAccess(permissionsWhere(member('1', [MODERATOR_ROLE]), gone))).toEqual({
			canSee: true,
			isModerator: true,
		});
		expect(pollAccess(permissionsWhere(member(OWNER), gone)).isModerator).toBe(true);
	});
});

describe('poll access', () => {
	it('sees with View Channel, moderates with View Channel and Manage Messages', () => {
		expect(pollAccess(EVERYONE)).toEqual({ canSee: true, isModerator: false });
		expect(pollAccess(EVERYONE | MANAGE)).toEqual({ canSee: true, isModerator: true });
		// Manage Messages where one cannot see is no right at all.
		expect(pollAccess(MANAGE)).toEqual({ canSee: false, isModerator: false });
		expect(pollAccess(0n)).toEqual({ canSee: false, isModerator: false });
	});
});
