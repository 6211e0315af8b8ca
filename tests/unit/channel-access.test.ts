import { ChannelType, Collection, type Interaction, PermissionFlagsBits, PermissionsBitField } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { ChannelAccess, type ChannelDirectory, PERMISSIONS_UNAVAILABLE } from '../../src/discord/channel-access.js';
import { UserFacingError } from '../../src/errors.js';
import { collectingLogger } from '../support/fakes.js';

const GUILD = '100';
const HOST_ROLE = '201';
const { ViewChannel: VIEW, ManageMessages: MANAGE } = PermissionFlagsBits;

function channel(id: string, overwrites: { id: string; type: 0 | 1; allow: bigint; deny?: bigint }[] = [], extra = {}) {
	return {
		id,
		type: ChannelType.GuildText,
		permission_overwrites: overwrites.map((overwrite) => ({
			id: overwrite.id,
			type: overwrite.type,
			allow: overwrite.allow.toString(),
			deny: (overwrite.deny ?? 0n).toString(),
		})),
		...extra,
	};
}

/** A directory that counts its calls and serves whatever `channels` holds at the time. */
function directory(channels: Map<string, unknown>, threads = new Map<string, unknown>()) {
	const calls = { list: 0, one: 0 };
	let failing = false;
	const source: ChannelDirectory = {
		async guildChannels() {
			calls.list += 1;
			if (failing) throw new Error('503 from Discord');
			return [...channels.values()];
		},
		async channel(id) {
			calls.one += 1;
			return threads.get(id) ?? channels.get(id) ?? null;
		},
	};
	return {
		source,
		calls,
		fail(value: boolean) {
			failing = value;
		},
	};
}

/** The few members of a discord.js interaction that ChannelAccess reads. */
function interactionIn(channelId: string, roles: string[], here: bigint | null = null): Interaction {
	const roleCache = new Collection([
		[GUILD, { id: GUILD, permissions: new PermissionsBitField(VIEW) }],
		[HOST_ROLE, { id: HOST_ROLE, permissions: new PermissionsBitField(0n) }],
	]);
	return {
		channelId,
		memberPermissions: here === null ? null : new PermissionsBitField(here),
		guild: { id: GUILD, ownerId: '999', roles: { cache: roleCache } },
		member: { roles, communication_disabled_until: null },
		user: { id: '1' },
	} as unknown as Interaction;
}

describe('ChannelAccess', () => {
	const { logger } = collectingLogger();

	it('answers the interaction’s own channel from Discord’s answer, with no request', async () => {
		const fake = directory(new Map());
		const access = new ChannelAccess({ directory: fake.source, logger });
		const result = await access.forMember(interactionIn('10', [], VIEW | MANAGE), ['10']);
		expect(result.get('10')).toEqual({ canSee: true, isModerator: true });
		expect(fake.calls).toEqual({ list: 0, one: 0 });
	});

	it('reads a server’s overwrites once, shares one request between concurrent callers, and forgets on invalidate', async () => {
		const channels = new Map<string, unknown>([
			['10', channel('10')],
			['11', channel('11', [{ id: HOST_ROLE, type: 0, allow: MANAGE }])],
			['12', channel('12', [{ id: GUILD, type: 0, allow: 0n, deny: VIEW }])],
		]);
		const fake = directory(channels);
		const access = new ChannelAccess({ directory: fake.source, logger });
		const host = interactionIn('10', [HOST_ROLE], VIEW);
		const answers = await Promise.all(Array.from({ length: 5 }, () => access.forMember(host, ['11', '12'])));
		for (const answer of answers) {
			expect(answer.get('11')).toEqual({ canSee: true, isModerator: true });
			expect(answer.get('12')).toEqual({ canSee: false, isModerator: false });
		}
		expect(fake.calls.list).toBe(1);

		channels.set('11', channel('11'));
		expect((await access.forMember(host, ['11'])).get('11')?.isModerator).toBe(true);
		access.invalidate(GUILD);
		expect((await access.forMember(host, ['11'])).get('11')?.isModerator).toBe(false);
		expect(fake.calls.list).toBe(2);
	});

	it('reads again after the time to live, and keeps at most maxGuilds servers', async () => {
		let now = 0;
		const fake = directory(new Map([['10', channel('10')]]));
		const access = new ChannelAccess({ directory: fake.source, logger, ttlMs: 1000, maxGuilds: 2, now: () => now });
		await access.places(GUILD, ['10']);
		now = 999;
		await access.places(GUILD, ['10']);
		expect(fake.calls.list).toBe(1);
		now = 1000;
		await access.places(GUILD, ['10']);
		expect(fake.calls.list).toBe(2);
		await access.places('101', ['10']);
		await access.places('102', ['10']);
		expect(access.size).toBe(2);
	});

	it('finds a thread’s parent, and treats a channel Discord will not show as unknown', async () => {
		const channels = new Map<string, unknown>([['11', channel('11', [{ id: HOST_ROLE, type: 0, allow: MANAGE }])]]);
		const threads = new Map<string, unknown>([
			['20', { id: '20', type: ChannelType.PublicThread, parent_id: '11' }],
			['21', { id: '21', type: ChannelType.PrivateThread, parent_id: '11' }],
		]);
		const fake = directory(channels, threads);
		const access = new ChannelAccess({ directory: fake.source, logger });
		const places = await access.places(GUILD, ['20', '21', '404']);
		expect(places.get('20')).toMatchObject({ kind: 'thread', private: false });
		expect(places.get('21')).toMatchObject({ kind: 'thread', private: true });
		expect(places.get('404')).toEqual({ kind: 'unknown' });
		await access.places(GUILD, ['20', '21', '404']);
		expect(fake.calls).toEqual({ list: 1, one: 3 });
		const host = await access.forMember(interactionIn('10', [HOST_ROLE], VIEW), ['20', '21', '404']);
		expect(host.get('20')).toEqual({ canSee: true, isModerator: true });
		expect(host.get('21')).toEqual({ canSee: false, isModerator: false });
		expect(host.get('404')).toEqual({ canSee: false, isModerator: false });
	});

	it('says plainly that it could not check when Discord does not answer, and caches no failure', async () => {
		const fake = directory(new Map([['11', channel('11')]]));
		const { logger: warnings, lines } = collectingLogger();
		const access = new ChannelAccess({ directory: fake.source, logger: warnings });
		fake.fail(true);
		const failed = access.forMember(interactionIn('10', [], VIEW), ['11']);
		await expect(failed).rejects.toThrow(UserFacingError);
		await expect(failed).rejects.toThrow(PERMISSIONS_UNAVAILABLE);
		expect(lines.some((line) => line.level === 40 && line.msg.includes('could not read channel permissions'))).toBe(
			true,
		);
		fake.fail(false);
		expect((await access.forMember(interactionIn('10', [], VIEW), ['11'])).get('11')?.canSee).toBe(true);
	});
});
