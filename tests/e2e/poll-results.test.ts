import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TrySession } from '../../src/local/session.js';
import type { MessageState } from '../../src/local/standin/state.js';

/**
 * Issue 11 item 2: a closed poll answers "Results" from its stored final record (no vote is read back), voters are
 * read only for moderators of non-anonymous polls and then only as many as the answer can show, and each member has
 * a budget of Results requests.
 */

function card(session: TrySession, question: string): MessageState {
	const found = [...session.standIn.messages.values()]
		.filter((message) => message.visibleTo === null && JSON.stringify(message.embeds).includes(question))
		.at(-1);
	if (!found) throw new Error(`no card for ${question}`);
	return found;
}

function pollIdOf(session: TrySession, question: string): string {
	return /Poll (\w+)/.exec(JSON.stringify(card(session, question).embeds))?.[1] ?? '';
}

function button(message: MessageState, label: string): string {
	for (const row of message.components as { components: { label?: string; custom_id?: string }[] }[]) {
		const found = row.components.find((component) => component.label === label);
		if (found?.custom_id) return found.custom_id;
	}
	throw new Error(`no ${label} button`);
}

/** Counts the vote records the bot reads from the store, whichever store method it uses to read them. */
function countVoteReads(session: TrySession): { calls: () => number; entries: () => number } {
	const store = session.running.ctx.store as unknown as Record<string, unknown>;
	let calls = 0;
	let entries = 0;
	for (const name of Object.keys(store)) {
		const original = store[name];
		if (typeof original !== 'function' || name === 'close') continue;
		vi.spyOn(store as Record<string, (...args: unknown[]) => unknown>, name).mockImplementation((...args) => {
			const result = (original as (...args: unknown[]) => unknown).apply(store, args);
			if (typeof args[0] !== 'string' || !args[0].startsWith('vote:')) return result;
			calls += 1;
			if (result instanceof Promise)
				return result.then((value: unknown) => {
					if (Array.isArray(value)) entries += value.length;
					return value;
				});
			if (result && typeof result === 'object' && Symbol.asyncIterator in result) {
				const iterable = result as AsyncIterable<unknown>;
				return (async function* () {
					for await (const page of iterable) {
						entries += Array.isArray(page) ? page.length : 1;
						yield page;
					}
				})();
			}
			return result;
		});
	}
	return { calls: () => calls, entries: () => entries };
}

describe('Results of a poll (issue 11 item 2)', () => {
	let session: TrySession;
	beforeAll(async () => {
		session = await TrySession.start({ logLevel: 'warn' });
	});
	afterEach(() => {
		vi.restoreAllMocks();
	});
	afterAll(async () => {
		await session.stop();
	});

	it('answers a closed poll from its stored final record: no vote is read, and a damaged vote key no longer matters', async () => {
		await session.run('/poll start question:"Final record poll" style:yes-no');
		for (const name of ['ada', 'ben', 'cy']) await session.run(`as ${name} click Yes`);
		await session.run('as dee click No');
		const pollId = pollIdOf(session, 'Final record poll');
		expect((await session.run(`/poll close poll:${pollId}`)).text).toContain('with 4 votes');
		// After the close the final counts are the record; what happens to vote keys later cannot change the result.
		await session.running.ctx.store.keyv.set(`vote:${pollId}:1234567`, { damaged: true });
		const reads = countVoteReads(session);
		const member = await session.run('as eve click Results');
		expect(member.ok, member.text).toBe(true);
		expect(member.text).toContain('**Yes** — 3 (75%)');
		expect(member.text).toContain('**No** — 1 (25%)');
		expect(reads.calls()).toBe(0);
		const slash = await session.run(`as eve /poll results poll:${pollId}`);
		expect(slash.text).toContain('**Yes** — 3 (75%)');
		// Even a moderator reads no vote: the poll is anonymous, so there are no voters to show.
		const moderator = await session.run('click Results');
		expect(moderator.text).toContain('**Yes** — 3 (75%)');
		expect(moderator.text).not.toContain('Voted');
		expect(reads.calls()).toBe(0);
	});

	it('shows a moderator the voters of a non-anonymous poll, reading only as many votes as the answer shows', async () => {
		await session.run('/poll start question:"Open ballot crowd" style:yes-no anonymous:false');
		const message = card(session, 'Open ballot crowd');
		const yes = button(message, 'Yes');
		const no = button(message, 'No');
		// In waves of 50, so the votes themselves stay well inside Discord's 3 seconds on a busy test machine.
		for (let wave = 0; wave < 300; wave += 50) {
			const records = Array.from({ length: 50 }, (_, offset) => {
				const index = wave + offset;
				return session.standIn.click(session.standIn.member(`crowd${index}`), message, index % 2 === 0 ? yes : no);
			});
			await Promise.all(records.map((record) => session.standIn.settle(record, 20)));
		}
		const pollId = pollIdOf(session, 'Open ballot crowd');
		expect((await session.run(`/poll close poll:${pollId}`)).text).toContain('with 300 votes');

		const reads = countVoteReads(session);
		const moderator = await session.run('click Results');
		expect(moderator.ok, moderator.text).toBe(true);
		expect(moderator.text).toContain('Voted Yes (150)');
		expect(moderator.text).toContain('Voted No (150)');
		expect(moderator.text).toMatch(/@crowd\d+/);
		// A field holds about 40 mentions; the rest are counted, not listed.
		expect(moderator.text).toMatch(/and 1[01]\d more/);
		expect(reads.entries()).toBeGreaterThan(0);
		expect(reads.entries()).toBeLessThan(300);

		const before = reads.calls();
		const member = await session.run('as crowd7 click Results');
		expect(member.text).toContain('**Yes** — 150 (50%)');
		expect(member.text).not.toContain('Voted');
		expect(reads.calls()).toBe(before);
	});

	it('limits how often one member can ask for results, and says how long to wait', async () => {
		await session.run('/poll start question:"Busy results poll" style:yes-no');
		await session.run('as fay click Yes');
		const pollId = pollIdOf(session, 'Busy results poll');
		const answers = [];
		for (let index = 0; index < 5; index += 1) answers.push(await session.run('as gus click Results'));
		for (const answer of answers) expect(answer.text).toContain('**Yes** — 1 (100%)');
		const limited = await session.run(`as gus /poll results poll:${pollId}`);
		expect(limited.text).toMatch(/You've asked for poll results 5 times in the last 30 seconds\. Please wait \d+ s/);
		expect(limited.outputs[0]?.message?.visibleTo).not.toBeNull();
		expect((await session.run('as hal click Results')).text).toContain('**Yes** — 1 (100%)');
		await session.run('advance 31s');
		expect((await session.run('as gus click Results')).text).toContain('**Yes** — 1 (100%)');
	});

	it('never pinged anyone and broke none of Discord’s rules', () => {
		expect(session.standIn.violations).toEqual([]);
	});
});
