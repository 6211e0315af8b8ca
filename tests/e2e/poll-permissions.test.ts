import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrySession } from '../../src/local/session.js';
import type { InteractionRecord } from '../../src/local/standin/server.js';
import type { ChannelState, MessageState, UserState } from '../../src/local/standin/state.js';

/**
 * Permissions where the poll lives (issue 11, item 1). One server, three channels:
 *   #general  everyone
 *   #debate   everyone; the "Debate host" role has Manage Messages here only (a channel overwrite)
 *   #staff    @everyone denied View Channel; the Moderator role and the bot allowed
 * and members: mod (Moderator: Manage Messages server-wide), dana (Debate host), pat (no roles), sam (Moderator).
 */

const NO_SUCH_POLL = 'There is no such poll in this server.';

function customIdOf(message: MessageState, label: string): string {
	for (const row of message.components as { components: { label?: string; custom_id?: string }[] }[]) {
		const button = row.components.find((component) => component.label === label);
		if (button?.custom_id) return button.custom_id;
	}
	throw new Error(`no ${label} button`);
}

/** What the member who triggered `record` saw: the text and embeds of every message it produced. */
function seen(record: InteractionRecord): string {
	return record.outputs
		.map((output) => `${output.message?.content ?? ''} ${JSON.stringify(output.message?.embeds ?? [])}`)
		.join('\n');
}

function countsIn(text: string): string[] {
	return [...text.matchAll(/\*\*([^*]+)\*\* — (\d+) \(/g)].map((match) => `${match[1]}=${match[2]}`);
}

describe('every poll action is decided by the member’s permissions in the poll’s own channel', () => {
	let session: TrySession;
	let general: ChannelState;
	let debate: ChannelState;
	let staff: ChannelState;
	let mod: UserState;
	let dana: UserState;
	let pat: UserState;
	let sam: UserState;
	const polls = new Map<string, { id: string; card: MessageState }>();

	const standIn = () => session.standIn;

	async function poll(
		user: UserState,
		channel: ChannelState,
		subcommand: string,
		options: Record<string, string> = {},
	): Promise<string> {
		const record = standIn().command(user, { name: 'poll', subcommand, options }, { channelId: channel.id });
		await standIn().settle(record);
		expect(record.outputs.every((output) => output.message === null || output.message.visibleTo === user.id)).toBe(
			true,
		);
		return seen(record);
	}

	async function choices(user: UserState, channel: ChannelState, typed = ''): Promise<string[]> {
		const record = standIn().autocomplete(
			user,
			{ name: 'poll', subcommand: 'results', options: { poll: typed } },
			'poll',
			{ channelId: channel.id },
		);
		const outputs = await standIn().settle(record);
		return (outputs[0]?.choices ?? []).map((choice) => choice.name);
	}

	async function click(user: UserState, message: MessageState, label: string): Promise<string> {
		const record = standIn().click(user, message, customIdOf(message, label));
		await standIn().settle(record);
		return seen(record);
	}

	async function start(channel: ChannelState, question: string, extra: Record<string, string> = {}): Promise<void> {
		const text = await poll(mod, channel, 'start', { question, style: 'yes-no', anonymous: 'false', ...extra });
		expect(text).toContain('Poll started');
		const card = [...standIn().messages.values()]
			.filter((message) => message.visibleTo === null && JSON.stringify(message.embeds).includes(question))
			.at(-1);
		const id = card ? /Poll (\w+)/.exec(JSON.stringify(card.embeds))?.[1] : undefined;
		if (!card || !id) throw new Error(`no card for ${question}`);
		expect(card.channelId).toBe(channel.id);
		polls.set(question, { id, card });
	}

	const idOf = (question: string) => polls.get(question)?.id ?? 'missing';
	const cardOf = (question: string): MessageState => {
		const found = polls.get(question);
		if (!found) throw new Error(`no poll ${question}`);
		const current = standIn().messages.get(found.card.id);
		if (!current) throw new Error(`card of ${question} is gone`);
		return current;
	};
	const isClosed = (question: string) => JSON.stringify(cardOf(question).embeds).includes('Closed: ');

	beforeAll(async () => {
		session = await TrySession.start({
			logLevel: 'warn',
			standIn: {
				guilds: [{ name: 'Parley Test Server', channels: ['general', 'debate', 'staff'], roles: ['Debate host'] }],
			},
		});
		const s = standIn();
		const guild = s.defaultGuild;
		const channel = (name: string) => {
			const found = s.findChannel(guild, name);
			if (!found) throw new Error(`no #${name}`);
			return found;
		};
		general = channel('general');
		debate = channel('debate');
		staff = channel('staff');
		mod = s.member('mod');
		dana = s.member('dana', guild, ['Debate host']);
		pat = s.member('pat');
		sam = s.member('sam', guild, ['Moderator']);
		s.setOverwrite(debate, { role: 'Debate host' }, PermissionFlagsBits.ManageMessages);
		s.setOverwrite(staff, { role: '@everyone' }, 0n, PermissionFlagsBits.ViewChannel);
		s.setOverwrite(staff, { role: 'Moderator' }, PermissionFlagsBits.ViewChannel);
		s.setOverwrite(staff, { role: 'Parley' }, PermissionFlagsBits.ViewChannel);

		await start(staff, 'Staff-only poll');
		await start(staff, 'Staff ballot');
		await start(debate, 'Debate poll');
		await start(debate, 'Second debate poll');
		await start(general, 'General poll');
		await start(general, 'Another general poll');
		await start(debate, 'Hidden debate poll', { hide_results: 'true' });
		expect(await click(sam, cardOf('Staff-only poll'), 'Yes')).toContain('Recorded: Yes');
		expect(await click(sam, cardOf('Staff ballot'), 'No')).toContain('Recorded: No');
		expect(await click(pat, cardOf('Debate poll'), 'Yes')).toContain('Recorded: Yes');
		expect(await click(pat, cardOf('General poll'), 'No')).toContain('Recorded: No');
		expect(await click(pat, cardOf('Hidden debate poll'), 'No')).toContain('Results stay hidden');
	});
	afterAll(async () => {
		await session?.stop();
	});

	it('the stand-in models the server: dana moderates #debate only, #staff is hidden from members', () => {
		expect(() => standIn().command(pat, { name: 'help' }, { channelId: staff.id })).toThrow(/cannot see #staff/);
		expect(() => standIn().command(dana, { name: 'help' }, { channelId: staff.id })).toThrow(/cannot see #staff/);
	});

	it('lists, autocompletes and shows only polls in channels the member can see', async () => {
		for (const member of [dana, pat]) {
			for (const where of [general, debate]) {
				const list = await poll(member, where, 'list');
				expect(list, `${member.username} in #${where.name}`).toContain('Debate poll');
				expect(list, `${member.username} in #${where.name}`).toContain('General poll');
				expect(list, `${member.username} in #${where.name}`).not.toContain('Staff-only poll');
				const offered = await choices(member, where);
				expect(offered).toContain('General poll');
				expect(offered).not.toContain('Staff-only poll');
				expect(await choices(member, where, 'staff')).toEqual([]);
				const results = await poll(member, where, 'results', { poll: idOf('Staff-only poll') });
				expect(results).toContain(NO_SUCH_POLL);
				expect(results).not.toContain('Staff-only poll');
				expect(results).not.toContain(sam.id);
			}
		}
		// Staff see their channel's poll, with its voters (it is not anonymous), from any channel.
		expect(await poll(mod, general, 'list')).toContain('Staff-only poll');
		expect(await choices(mod, general, 'staff-only')).toEqual(['Staff-only poll']);
		const staffView = await poll(mod, general, 'results', { poll: idOf('Staff-only poll') });
		expect(countsIn(staffView)).toEqual(['Yes=1', 'No=0']);
		expect(staffView).toContain(`<@${sam.id}>`);
	});

	it('lets nobody close a poll in a channel they cannot see, and moderators of one channel close only there', async () => {
		expect(await poll(dana, debate, 'close', { poll: idOf('Staff-only poll') })).toContain(NO_SUCH_POLL);
		expect(await poll(pat, general, 'close', { poll: idOf('Staff-only poll') })).toContain(NO_SUCH_POLL);
		expect(isClosed('Staff-only poll')).toBe(false);
		// Manage Messages in #debate is no right over #general, even when the command is run in #debate…
		expect(await poll(dana, debate, 'close', { poll: idOf('Another general poll') })).toContain(
			'Only the member who started this poll or a moderator can close it.',
		);
		expect(isClosed('Another general poll')).toBe(false);
		// …and it is a right over #debate, even when the command is run in #general.
		expect(await poll(dana, general, 'close', { poll: idOf('Second debate poll') })).toContain(
			'Closed “Second debate poll” with 0 votes',
		);
		expect(isClosed('Second debate poll')).toBe(true);
	});

	it('shows voter names only to moderators of the poll’s channel, wherever they ask from', async () => {
		const inDebate = await poll(dana, general, 'results', { poll: idOf('Debate poll') });
		expect(countsIn(inDebate)).toEqual(['Yes=1', 'No=0']);
		expect(inDebate).toContain('Voted Yes (1)');
		expect(inDebate).toContain(`<@${pat.id}>`);
		const inGeneral = await poll(dana, debate, 'results', { poll: idOf('General poll') });
		expect(countsIn(inGeneral)).toEqual(['Yes=0', 'No=1']);
		expect(inGeneral).not.toContain('Voted No');
		expect(inGeneral).not.toContain(pat.id);
		expect(await poll(pat, debate, 'results', { poll: idOf('Debate poll') })).not.toContain('Voted Yes');
	});

	it('shows a hidden count before the close to moderators of the poll’s channel only', async () => {
		const hidden = idOf('Hidden debate poll');
		const member = await poll(pat, debate, 'results', { poll: hidden });
		expect(member).toContain('Results of this poll stay hidden until it closes');
		expect(countsIn(member)).toEqual([]);
		for (const [who, where] of [
			[dana, general],
			[mod, staff],
		] as const) {
			const view = await poll(who, where, 'results', { poll: hidden });
			expect(countsIn(view), who.username).toEqual(['Yes=0', 'No=1']);
			expect(view, who.username).toContain('hidden from members until the poll closes');
		}
	});

	it('refuses buttons forged onto a message in another channel, and the count does not move', async () => {
		const staffCard = cardOf('Staff ballot');
		const forged: MessageState = { ...staffCard, id: '1', channelId: general.id };
		for (const label of ['Yes', 'No', 'Results']) {
			const text = await click(pat, forged, label);
			expect(text, label).toMatch(/This button belongs to a poll in another channel\.|There is no such poll/);
			expect(text, label).not.toContain('Staff ballot');
		}
		expect(countsIn(await poll(mod, staff, 'results', { poll: idOf('Staff ballot') }))).toEqual(['Yes=0', 'No=1']);
	});

	it('follows channel overwrite changes at once, without fetching the channels for every keystroke', async () => {
		const s = standIn();
		const channelFetches = () =>
			s.traffic.filter((request) => request.method === 'GET' && /^\/(guilds\/\d+\/)?channels/.test(request.path))
				.length;
		await choices(pat, general, 'poll');
		const before = channelFetches();
		for (const typed of ['d', 'de', 'deb', 'deba', 'debat']) await choices(pat, general, typed);
		expect(channelFetches() - before).toBeLessThanOrEqual(1);

		// A member overwrite lets pat into #staff: the staff poll appears for pat at once.
		s.setOverwrite(staff, { user: pat }, PermissionFlagsBits.ViewChannel);
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(await choices(pat, general, 'staff-only')).toEqual(['Staff-only poll']);
		const asMember = await poll(pat, general, 'results', { poll: idOf('Staff-only poll') });
		expect(countsIn(asMember)).toEqual(['Yes=1', 'No=0']);
		expect(asMember).not.toContain(sam.id);

		// Taking Manage Messages in #debate away from the Debate host role takes dana's moderator view with it.
		s.setOverwrite(debate, { role: 'Debate host' }, 0n, 0n);
		await new Promise((resolve) => setTimeout(resolve, 100));
		const after = await poll(dana, general, 'results', { poll: idOf('Debate poll') });
		expect(countsIn(after)).toEqual(['Yes=1', 'No=0']);
		expect(after).not.toContain(pat.id);
		s.setOverwrite(debate, { role: 'Debate host' }, PermissionFlagsBits.ManageMessages);
		s.setOverwrite(staff, { user: pat }, 0n, 0n);
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(await choices(pat, general, 'staff')).toEqual([]);
	});

	it('leaves a poll whose channel was deleted to the server’s moderators', async () => {
		const s = standIn();
		const temporary = s.addChannel(s.defaultGuild, 'temporary');
		await new Promise((resolve) => setTimeout(resolve, 100));
		await start(temporary, 'Orphaned poll');
		s.deleteChannel(temporary);
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(await poll(pat, general, 'list')).not.toContain('Orphaned poll');
		expect(await poll(dana, debate, 'results', { poll: idOf('Orphaned poll') })).toContain(NO_SUCH_POLL);
		expect(await poll(dana, debate, 'close', { poll: idOf('Orphaned poll') })).toContain(NO_SUCH_POLL);
		expect(await poll(mod, general, 'list')).toContain('Orphaned poll');
		expect(await poll(mod, general, 'close', { poll: idOf('Orphaned poll') })).toContain('Closed “Orphaned poll”');
	});

	it('never broke Discord’s rules or logged an error', () => {
		expect(standIn().violations).toEqual([]);
		expect(session.errors).toEqual([]);
	});
});

describe('/weights show is read-only and open to whoever the server lets use /weights', () => {
	let session: TrySession;
	beforeAll(async () => {
		session = await TrySession.start({ logLevel: 'warn' });
	});
	afterAll(async () => {
		await session?.stop();
	});

	it('shows a member the server’s weights, and refuses the member’s changes', async () => {
		expect((await session.run('/weights set concession:"food aid" value:6')).ok).toBe(true);
		const shown = await session.run('as pat /weights show');
		expect(shown.ok).toBe(true);
		expect(shown.text).toContain('Food aid');
		expect((await session.run('as pat /weights reset')).text).toContain(
			'Only moderators (members with the Manage Server permission) can change this server’s weights.',
		);
		expect((await session.run('/weights show')).text).toContain('Food aid');
	});
});
