import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrySession } from '../../src/local/session.js';
import type { MessageState } from '../../src/local/standin/state.js';

/**
 * The public poll card tells the truth for the poll's whole life: it keeps updating after its first hour (less
 * often, within Discord's limits on editing old messages) and says when it was last updated and how often it
 * updates now; turnout counts members against the server's approximate member count, never above 100%; a tie is
 * said plainly, never shown as a lead.
 */

interface Embed {
	title?: string;
	description?: string;
	fields?: { name: string; value: string }[];
	footer?: { text: string };
	timestamp?: string;
}

function card(session: TrySession, question: string): MessageState {
	const found = [...session.standIn.messages.values()]
		.filter((message) => message.visibleTo === null && JSON.stringify(message.embeds).includes(question))
		.at(-1);
	if (!found) throw new Error(`no card for ${question}`);
	return found;
}

function embedOf(message: MessageState): Embed {
	return (message.embeds[0] ?? {}) as Embed;
}

function fieldValue(message: MessageState, name: string): string {
	return embedOf(message).fields?.find((field) => field.name === name)?.value ?? '';
}

function countsOnCard(message: MessageState): Record<string, number> {
	const text = JSON.stringify(message.embeds);
	const counts: Record<string, number> = {};
	for (const match of text.matchAll(/\*\*([^*]+)\*\* — (\d+) \(/g)) counts[match[1] ?? ''] = Number(match[2]);
	return counts;
}

function editsOf(session: TrySession, message: MessageState): number {
	return session.standIn.traffic.filter((request) => request.method === 'PATCH' && request.path.includes(message.id))
		.length;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the poll card tells the truth', () => {
	let session: TrySession;
	beforeAll(async () => {
		session = await TrySession.start({ logLevel: 'warn' });
	});
	afterAll(async () => {
		await session.stop();
	});

	it('keeps updating a 24-hour poll after its first hour, backing off, and says when and how often', async () => {
		await session.run('/poll start question:"All day poll" style:yes-no duration:24h');
		expect((await session.run('as alice click Yes')).ok).toBe(true);
		expect(await session.standIn.waitFor(() => countsOnCard(card(session, 'All day poll')).Yes === 1, 8_000)).toBe(
			true,
		);
		const young = embedOf(card(session, 'All day poll'));
		expect(young.footer?.text).toContain('new votes show here within 5 seconds');
		expect(young.footer?.text).not.toContain('updates every few seconds');
		// When it was last updated: a timestamp Discord shows next to the footer in each reader's own time zone.
		expect(Math.abs(Date.parse(young.timestamp ?? '') - session.clock.now())).toBeLessThan(10_000);

		await session.run('advance 2h');
		expect((await session.run('as bob click No')).ok).toBe(true);
		// Before the fix the card froze after one hour and still showed No 0 for the rest of the day.
		expect(await session.standIn.waitFor(() => countsOnCard(card(session, 'All day poll')).No === 1, 8_000)).toBe(true);
		const older = embedOf(card(session, 'All day poll'));
		expect(older.footer?.text).toContain('new votes show here within a minute');
		expect(Math.abs(Date.parse(older.timestamp ?? '') - session.clock.now())).toBeLessThan(10_000);

		// Backing off: the next vote waits for the promised minute instead of editing an hour-old message at once.
		const message = card(session, 'All day poll');
		await sleep(300);
		const editsBefore = editsOf(session, message);
		expect((await session.run('as carol click No')).ok).toBe(true);
		await sleep(1_500);
		expect(editsOf(session, message)).toBe(editsBefore);
		expect(countsOnCard(card(session, 'All day poll')).No).toBe(1);
		await session.run('advance 1m');
		expect(await session.standIn.waitFor(() => countsOnCard(card(session, 'All day poll')).No === 2, 8_000)).toBe(true);
		expect(editsOf(session, message)).toBe(editsBefore + 1);

		// Later still, every five minutes, and it says so.
		await session.run('advance 6h');
		expect((await session.run('as erin click Yes')).ok).toBe(true);
		expect(await session.standIn.waitFor(() => countsOnCard(card(session, 'All day poll')).Yes === 2, 8_000)).toBe(
			true,
		);
		expect(embedOf(card(session, 'All day poll')).footer?.text).toContain('new votes show here within 5 minutes');
		expect(session.standIn.violations).toEqual([]);
	});

	it('says a 1–1 tie plainly on the live card, in Results and on the final card: no lead marker, equal shares', async () => {
		await session.run('/poll start question:"Tie poll" style:yes-no duration:1h');
		await session.run('as frank click Yes');
		await session.run('as grace click No');
		expect(await session.standIn.waitFor(() => countsOnCard(card(session, 'Tie poll')).No === 1, 8_000)).toBe(true);
		const live = fieldValue(card(session, 'Tie poll'), 'Live count');
		expect(live).toContain('**Yes** — 1 (50%)');
		expect(live).toContain('**No** — 1 (50%)');
		expect(live).not.toContain('◀');
		expect(live).toContain('Tied: **Yes** and **No**, 1 vote each');

		const results = await session.run('click Results');
		expect(results.text).not.toContain('◀');
		expect(results.text).toContain('Tied: **Yes** and **No**, 1 vote each');

		await session.run('advance 2h');
		const final = card(session, 'Tie poll');
		expect(embedOf(final).title).toContain('Closed: Tie poll');
		const result = fieldValue(final, 'Final result');
		expect(result).not.toContain('◀');
		expect(result).toContain('Tied: **Yes** and **No**, 1 vote each');
		expect(final.attachments[0]?.filename).toMatch(/\.png$/);
	});

	it('never ranks equal counts by rounding: a three-way tie is 33% each, and a clear leader keeps its marker', async () => {
		await session.run('/poll start question:"Three way poll" duration:1h');
		await session.run('as henry click Pressure');
		await session.run('as ivan click Compromise');
		await session.run('as judy click Undecided');
		expect(
			await session.standIn.waitFor(() => countsOnCard(card(session, 'Three way poll')).Undecided === 1, 8_000),
		).toBe(true);
		const live = fieldValue(card(session, 'Three way poll'), 'Live count');
		expect(live).not.toContain('34%');
		expect(live.match(/\(33%\)/g)).toHaveLength(3);
		expect(live).toContain('Tied: **Pressure**, **Compromise** and **Undecided**, 1 vote each');
		await session.run('as kim click Pressure');
		expect(
			await session.standIn.waitFor(() => countsOnCard(card(session, 'Three way poll')).Pressure === 2, 8_000),
		).toBe(true);
		const led = fieldValue(card(session, 'Three way poll'), 'Live count');
		expect(led).toContain('**Pressure** — 2 (50%) ◀');
		expect(led).toContain('**Compromise** — 1 (25%)');
		expect(led).not.toContain('Tied');
	});

	it('counts turnout against the server’s approximate member count, refreshed, never above 100%', async () => {
		const guild = session.standIn.defaultGuild;
		for (let index = 0; guild.members.size < 40; index++) session.standIn.member(`crowd${index}`);
		await session.run('/poll start question:"Turnout poll" style:yes-no duration:24h');
		for (const name of ['crowd1', 'crowd2', 'crowd3']) await session.run(`as ${name} click Yes`);
		expect(await session.standIn.waitFor(() => countsOnCard(card(session, 'Turnout poll')).Yes === 3, 8_000)).toBe(
			true,
		);
		// Before: "3 votes from 2 members (150% turnout)", the member count the gateway gave at startup.
		expect(fieldValue(card(session, 'Turnout poll'), 'Turnout')).toBe('3 of about 40 members have voted (8%)');
		expect(JSON.stringify(card(session, 'Turnout poll').embeds)).not.toContain('turnout)');
		const results = await session.run('click Results');
		expect(results.text).toContain('3 of about 40 members have voted (8%)');

		// Members join; the count is fetched again once it is old.
		for (let index = 100; guild.members.size < 60; index++) session.standIn.member(`crowd${index}`);
		await session.run('advance 20m');
		await session.run('as crowd4 click No');
		expect(await session.standIn.waitFor(() => countsOnCard(card(session, 'Turnout poll')).No === 1, 8_000)).toBe(true);
		expect(fieldValue(card(session, 'Turnout poll'), 'Turnout')).toBe('4 of about 60 members have voted (7%)');
		const fetches = session.standIn.traffic.filter(
			(request) =>
				request.method === 'GET' &&
				request.path === `/guilds/${guild.id}` &&
				request.query.includes('with_counts=true'),
		);
		expect(fetches.length).toBeGreaterThanOrEqual(2);

		// Discord's count is approximate and can lag: more voters than it says is shown as everyone, not 150%.
		guild.approximateMemberCount = 2;
		await session.run('advance 20m');
		await session.run('as crowd5 click No');
		expect(await session.standIn.waitFor(() => countsOnCard(card(session, 'Turnout poll')).No === 2, 8_000)).toBe(true);
		const lagging = fieldValue(card(session, 'Turnout poll'), 'Turnout');
		expect(lagging).toBe('5 of about 5 members have voted (100%)');
	});

	it('broke none of Discord’s rules', () => {
		expect(session.standIn.violations).toEqual([]);
		expect(session.errors).toEqual([]);
	});
});
