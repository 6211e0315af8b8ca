import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDeals } from '../../src/data/deals.js';
import { TrySession } from '../../src/local/session.js';
import type { MessageState } from '../../src/local/standin/state.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const HOUR = 3_600_000;

/** The poll card: the newest channel message from the bot with a vote button for this question. */
function card(session: TrySession, question: string): MessageState {
	const found = [...session.standIn.messages.values()]
		.filter((message) => message.visibleTo === null && JSON.stringify(message.embeds).includes(question))
		.at(-1);
	if (!found) throw new Error(`no card for ${question}`);
	return found;
}

function customIdOf(message: MessageState, label: string): string {
	for (const row of message.components as { components: { label?: string; custom_id?: string }[] }[]) {
		const button = row.components.find((component) => component.label === label);
		if (button?.custom_id) return button.custom_id;
	}
	throw new Error(`no ${label} button`);
}

function countsOnCard(message: MessageState): Record<string, number> {
	const text = JSON.stringify(message.embeds);
	const counts: Record<string, number> = {};
	for (const match of text.matchAll(/\*\*([^*]+)\*\* — (\d+) \(/g)) counts[match[1] ?? ''] = Number(match[2]);
	return counts;
}

describe('/poll through the stand-in', () => {
	let session: TrySession;
	beforeAll(async () => {
		session = await TrySession.start({ logLevel: 'warn' });
	});
	afterAll(async () => {
		await session.stop();
	});

	it('runs the issue’s script: card, receipts, a changed vote, a restart that loses nothing, final result with a chart', async () => {
		const steps = [
			'/poll start question:"Maximum pressure or compromise with Pyongyang?" duration:1h',
			'as alice click Pressure',
			'as bob click Compromise',
			'as carol click Pressure',
			'restart',
			'as carol click Compromise',
			'advance 2h',
		];
		const results = [];
		for (const step of steps) results.push(await session.run(step));
		expect(results.map((result) => result.error ?? 'ok')).toEqual(steps.map(() => 'ok'));
		expect(results[0]?.text).toContain('Poll started: https://discord.com/channels/');
		expect(results[1]?.text).toContain('Recorded: Pressure — you can change it until');
		expect(results[1]?.text).toContain('only alice can see this');
		expect(results[5]?.text).toContain('Changed your vote from Pressure to Compromise');
		const final = results[6]?.text ?? '';
		expect(final).toContain('Closed: Maximum pressure or compromise with Pyongyang?');
		expect(final).toContain('**Pressure** — 1 (33%)');
		expect(final).toContain('**Compromise** — 2 (67%)');
		expect(final).toContain('[Pressure (disabled)]');
		const chart = card(session, 'Maximum pressure or compromise').attachments[0];
		expect(chart?.filename).toMatch(/^poll-.+-results\.png$/);
		expect(chart?.data.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
	});

	it('counts 200 members voting at once exactly once each, and the card converges', async () => {
		await session.run('/poll start question:"Burst poll" style:yes-no duration:1h');
		const message = card(session, 'Burst poll');
		const yes = customIdOf(message, 'Yes');
		const no = customIdOf(message, 'No');
		const voters = Array.from({ length: 200 }, (_, index) => session.standIn.member(`burst${index}`));
		const records = voters.map((user, index) => session.standIn.click(user, message, index % 4 === 0 ? no : yes));
		const outputs = await Promise.all(records.map((record) => session.standIn.settle(record, 20)));
		const receipts = outputs.map((list) => list.find((output) => output.kind === 'reply')?.message?.content ?? '');
		expect(receipts.filter((text) => text.startsWith('Recorded: Yes'))).toHaveLength(150);
		expect(receipts.filter((text) => text.startsWith('Recorded: No'))).toHaveLength(50);
		const converged = await session.standIn.waitFor(() => {
			const counts = countsOnCard(card(session, 'Burst poll'));
			return counts.Yes === 150 && counts.No === 50;
		}, 12_000);
		expect(converged).toBe(true);
		const edits = session.standIn.traffic.filter(
			(request) => request.method === 'PATCH' && request.path.includes(message.id),
		);
		const span = (edits.at(-1)?.at ?? 0) - (edits[0]?.at ?? 0);
		// At most one card edit per 5 seconds per poll. Arrival times carry transport jitter (the first edit can queue
		// behind 200 receipts), so one edit of slack is allowed; without throttling there would be about 200.
		expect(edits.length).toBeGreaterThan(0);
		expect(edits.length).toBeLessThanOrEqual(Math.floor(span / 5_000) + 2);
	});

	it('says a repeated click is already recorded and keeps one vote per member', async () => {
		await session.run('/poll start question:"Repeat poll" style:yes-no');
		expect((await session.run('as dave click Yes')).text).toContain('Recorded: Yes');
		expect((await session.run('as dave click Yes')).text).toContain('Your vote is already recorded: Yes');
		expect((await session.run('as dave click No')).text).toContain('Changed your vote from Yes to No');
		const results = await session.run('click Results');
		expect(results.text).toContain('**Yes** — 0 (0%)');
		expect(results.text).toContain('**No** — 1 (100%)');
	});

	it('a restart in the middle of voting loses nothing', async () => {
		await session.run('/poll start question:"Restart poll" style:yes-no');
		const message = card(session, 'Restart poll');
		const first = Array.from({ length: 30 }, (_, index) =>
			session.standIn.click(session.standIn.member(`early${index}`), message, customIdOf(message, 'Yes')),
		);
		await Promise.all(first.map((record) => session.standIn.settle(record, 20)));
		await session.restart();
		const second = Array.from({ length: 20 }, (_, index) =>
			session.standIn.click(session.standIn.member(`late${index}`), message, customIdOf(message, 'No')),
		);
		await Promise.all(second.map((record) => session.standIn.settle(record, 20)));
		const results = await session.run('click Results');
		expect(results.text).toContain('**Yes** — 30 (60%)');
		expect(results.text).toContain('**No** — 20 (40%)');
	});

	it('closes a poll whose deadline passed while the bot was down, at startup, exactly once', async () => {
		await session.run('/poll start question:"Downtime poll" style:yes-no duration:30m');
		await session.run('as erin click Yes');
		await session.running.stop('test: bot goes down');
		session.clock.advance(HOUR);
		await session.restart();
		await session.quiet();
		const closed = card(session, 'Downtime poll');
		expect(JSON.stringify(closed.embeds)).toContain('Closed: Downtime poll');
		expect(countsOnCard(closed)).toMatchObject({ Yes: 1, No: 0 });
		const closeEdits = session.standIn.outputs.filter(
			(output) =>
				output.kind === 'channel-edit' &&
				output.message?.id === closed.id &&
				JSON.stringify(output.message.embeds).includes('Closed:'),
		);
		expect(closeEdits).toHaveLength(1);
		// The card's buttons are disabled now; a client with a stale copy can still send the click.
		const late = await session.standIn.settle(
			session.standIn.click(session.standIn.member('frank'), closed, customIdOf(closed, 'Yes')),
		);
		expect(late[0]?.message?.content).toMatch(/^This poll closed at <t:\d+:f>\.$/);
	});

	it('closes early on /poll close by a moderator, and refuses members', async () => {
		await session.run('/poll start question:"Early close poll" style:yes-no');
		const pollId = /Poll (\w+)/.exec(JSON.stringify(card(session, 'Early close poll').embeds))?.[1] ?? '';
		const member = await session.run(`as grace /poll close poll:${pollId}`);
		expect(member.text).toContain('Only the member who started this poll or a moderator can close it.');
		const closed = await session.run(`/poll close poll:${pollId}`);
		expect(closed.text).toContain('Closed “Early close poll” with 0 votes');
		const again = await session.run(`/poll close poll:${pollId}`);
		expect(again.text).toContain('That poll already closed');
	});

	it('lists open polls and autocompletes this server’s polls', async () => {
		await session.run('/poll start question:"Listed poll" style:yes-no duration:30d');
		await session.run('as olga click Yes');
		const list = await session.run('/poll list');
		expect(list.text).toContain('Open polls in channels you can see:');
		expect(list.text).toMatch(/\*\*Listed poll\*\* — 1 vote/);
		expect(list.text).not.toContain('Early close poll');
		const complete = await session.run('complete /poll results poll:listed');
		expect(complete.outputs[0]?.choices?.map((choice) => choice.name)).toEqual(['Listed poll']);
		const closedOnes = await session.run('complete /poll results poll:early');
		expect(closedOnes.outputs[0]?.choices?.map((choice) => choice.name)).toEqual(['[closed] Early close poll']);
	});

	it('hides results until close when asked, and shows voters only to moderators of non-anonymous polls', async () => {
		await session.run('/poll start question:"Hidden poll" style:yes-no hide_results:true');
		expect((await session.run('as henry click Yes')).text).toContain('Results stay hidden until the poll closes.');
		expect(JSON.stringify(card(session, 'Hidden poll').components)).not.toContain('"Results"');
		await session.run('/poll start question:"Open ballot poll" style:yes-no anonymous:false');
		await session.run('as ivan click No');
		const moderatorView = await session.run('click Results');
		expect(moderatorView.text).toContain('Voted No (1)');
		expect(moderatorView.text).toContain('@ivan');
		const memberView = await session.run('as ivan click Results');
		expect(memberView.text).not.toContain('Voted No');
		await session.run('/poll start question:"Secret poll" style:yes-no');
		await session.run('as judy click Yes');
		expect((await session.run('click Results')).text).not.toContain('@judy');
	});

	it('runs scale and custom polls, with a linked deal’s briefing and both cases', async () => {
		const scale = await session.run(
			'/poll start question:"How far should Washington go?" style:scale deal:hanoi duration:10m',
		);
		expect(scale.ok).toBe(true);
		const cardText = JSON.stringify(card(session, 'How far should Washington go?').embeds);
		expect(cardText).toContain('Context: **Hanoi Summit');
		await session.run('as kim click Mostly compromise');
		await session.run('as lee click Maximum pressure');
		const briefing = await session.run('as lee click Briefing');
		expect(briefing.text).toContain('Hanoi Summit');
		expect(briefing.text).toContain('only lee can see this');
		const cases = await session.run('as lee click Both cases');
		expect(cases.text).toContain('The case for pressure');
		expect(cases.text).toContain('The case for compromise');
		// Each case whole, attributed to its named advocates, and the card says how the order is chosen.
		const hanoi = loadDeals().find((deal) => deal.id === 'hanoi2019');
		for (const camp of ['pressure', 'compromise'] as const) {
			for (const point of hanoi?.cases[camp].points ?? []) {
				expect(cases.text).toContain(point.text);
				expect(cases.text).toContain(`**${point.voice.name}**`);
			}
		}
		expect(hanoi?.cases.pressure.points.length).toBeGreaterThan(0);
		expect(cases.text).toContain('the order alternates by year');
		expect(cases.text).not.toContain('in the words of those who make it');
		const closed = await session.run('advance 15m');
		expect(closed.text).toContain('Mean on the scale');
		const custom = await session.run(
			'/poll start question:"Which first step?" style:custom choices:"Freeze; Declaration; Inspectors"',
		);
		expect(custom.ok).toBe(true);
		expect((await session.run('as kim click Declaration')).text).toContain('Recorded: Declaration');
	});

	it('answers every bad input clearly and privately', async () => {
		const cases: [string, string][] = [
			[`/poll start question:"${'x'.repeat(301)}"`, 'the limit is 300'],
			['/poll start question:"Few?" style:custom choices:"Only one"', '2 to 10 choices'],
			['/poll start question:"Many?" style:custom choices:"a;b;c;d;e;f;g;h;i;j;k"', '2 to 10 choices'],
			['/poll start question:"Dup?" style:custom choices:"Yes; yes"', 'count as the same choice'],
			['/poll start question:"Zero?" duration:0m', 'between 1 minute and 32 days'],
			['/poll start question:"Long?" duration:40d', 'between 1 minute and 32 days'],
			['/poll start question:"Soon?" duration:soon', 'between 1 minute and 32 days'],
			[
				'as mallory /poll start question:"Mine?"',
				'Only moderators (members with the Manage Messages permission) can start a poll',
			],
			['/poll results poll:doesnotexist', 'There is no such poll in this server'],
		];
		for (const [line, expected] of cases) {
			const result = await session.run(line);
			expect(result.text, line).toContain(expected);
			expect(result.outputs[0]?.message?.visibleTo, line).not.toBeNull();
		}
	});

	it('refuses a vote without the voter role, and forged buttons for other servers or missing polls', async () => {
		await session.run('/poll start question:"Role poll" style:yes-no voter_role:Debaters');
		expect((await session.run('as nina click Yes')).text).toContain(
			'Only members with the @Debaters role can vote in this poll.',
		);
		session.standIn.grantRole(session.standIn.member('nina').id, 'Debaters');
		expect((await session.run('as nina click Yes')).text).toContain('Recorded: Yes');

		const message = card(session, 'Role poll');
		const other = session.standIn.addGuild({ name: 'Another Server' });
		await session.standIn.waitFor(() => session.running.client.guilds.cache.has(other.id));
		const foreign = session.standIn.member('oscar', other);
		const channel = session.standIn.defaultChannel(other);
		const forgedMessage: MessageState = { ...message, id: '1', guildId: other.id, channelId: channel.id };
		const forged = await session.standIn.settle(
			session.standIn.click(foreign, forgedMessage, customIdOf(message, 'Yes')),
		);
		expect(forged[0]?.message?.content).toContain('This button belongs to a poll in another server.');
		const missing = await session.standIn.settle(
			session.standIn.click(session.standIn.member('oscar'), message, 'poll:vote:nosuchpoll:0'),
		);
		expect(missing[0]?.message?.content).toContain('This poll no longer exists');
		const garbage = await session.standIn.settle(
			session.standIn.click(session.standIn.member('oscar'), message, 'poll:vote:x:99'),
		);
		expect(garbage[0]?.message?.content).toContain('older version of Parley');
	});

	it('never pinged anyone and broke none of Discord’s rules', () => {
		expect(session.standIn.violations).toEqual([]);
	});
});
