import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TrySession } from '../../src/local/session.js';
import type { MessageState } from '../../src/local/standin/state.js';
import { createPollStore } from '../../src/store/polls.js';
import { storeVoteKey } from '../support/vote-key.js';

/**
 * Issue 11 item 3: when a store write fails in the middle of `/poll close`, the poll is either fully open (votes
 * accepted, list and card say open) or fully closing and finished by the sweep — never refusing votes while the
 * store, the list and the card say it is open.
 */

type Setter = (key: string, value: unknown, ...rest: unknown[]) => Promise<unknown>;

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

function voteButton(message: MessageState, index: number): string {
	const id = (message.components as { components: { custom_id?: string }[] }[])[0]?.components[index]?.custom_id;
	if (!id) throw new Error('no vote button');
	return id;
}

describe('a /poll close whose store writes fail (in-process bot on the stand-in)', () => {
	let session: TrySession;
	const logFile = join(tmpdir(), `parley-close-faults-${process.pid}.log`);
	const storePath = join(tmpdir(), `parley-close-faults-${process.pid}.sqlite`);
	let restore: () => void = () => {};

	/** Makes the store fail the writes `fails` picks (SQLITE_FULL or SQLITE_BUSY), after `delayMs`. */
	function failWrites(fails: (key: string, value: unknown) => string | null, delayMs = 0): void {
		const adapter = session.running.ctx.store.keyv.store as { set: Setter };
		const realSet = adapter.set.bind(adapter);
		adapter.set = async (key, value, ...rest) => {
			const failure = fails(key, value);
			if (failure === null) return realSet(key, value, ...rest);
			if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
			throw Object.assign(new Error(failure), { code: failure.split(':')[0] });
		};
		restore = () => {
			adapter.set = realSet;
		};
	}

	const statusIn = (value: unknown): string | undefined => {
		const text = typeof value === 'string' ? value : JSON.stringify(value);
		return /"status":"(\w+)"/.exec(text)?.[1];
	};

	beforeAll(async () => {
		session = await TrySession.start({ logLevel: 'info', logFile, storePath });
	});
	afterEach(() => {
		restore();
		restore = () => {};
	});
	afterAll(async () => {
		await session.stop();
		for (const suffix of ['', '-wal', '-shm']) rmSync(`${storePath}${suffix}`, { force: true });
		rmSync(logFile, { force: true });
	});

	for (const failure of ['SQLITE_FULL: database or disk is full', 'SQLITE_BUSY: database is locked']) {
		const code = failure.split(':')[0];
		it(`${code} on the first write leaves the poll fully open: votes, list, card and store agree`, async () => {
			const question = `Half close ${code === 'SQLITE_FULL' ? 'full' : 'busy'}`;
			await session.run(`/poll start question:"${question}" style:yes-no`);
			expect((await session.run('as alice click Yes')).text).toContain('Recorded: Yes');
			const pollId = pollIdOf(session, question);
			// The first write of the close (the poll record) fails after a moment, as a locked store does.
			failWrites((key) => (key.endsWith(`poll:${pollId}`) ? failure : null), 400);
			const closing = session.run(`/poll close poll:${pollId}`);
			await new Promise((resolve) => setTimeout(resolve, 100));
			// A vote that arrives while the close is being written waits for it, and is recorded when it fails.
			const message = card(session, question);
			const during = session.standIn.click(session.standIn.member('carol'), message, voteButton(message, 0));
			const refused = await closing;
			restore();
			const duringText = (await session.standIn.settle(during, 50)).find((output) => output.message)?.message?.content;
			expect(duringText).toContain('Recorded: Yes');

			expect((await session.run('as bob click No')).text).toContain('Recorded: No');
			expect(JSON.stringify(card(session, question).embeds)).not.toContain('Closed:');
			const list = await session.run('/poll list');
			expect(list.text).toContain(question);
			expect(list.text).toMatch(new RegExp(`${question}\\*\\* — 3 votes — closes`));
			const stored = await createPollStore(
				session.running.ctx.store,
				await storeVoteKey(session.running.ctx.store),
			).getPoll(pollId);
			expect(stored?.status).toBe('open');

			expect(refused.text).toContain(`Parley couldn't close “${question}”`);
			expect(refused.text).toContain('It is still open and taking votes');
			expect(refused.outputs.at(-1)?.message?.visibleTo).not.toBeNull();

			// Once the store works again, the close goes through with every vote.
			expect((await session.run(`/poll close poll:${pollId}`)).text).toContain(`Closed “${question}” with 3 votes`);
		}, 30_000);
	}

	it('a write that fails after the close is decided leaves it closing, and the sweep finishes it', async () => {
		const question = 'Late failure poll';
		await session.run(`/poll start question:"${question}" style:yes-no`);
		await session.run('as dora click Yes');
		const pollId = pollIdOf(session, question);
		let failed = 0;
		// The closing record is stored; the closed record fails once (the disk fills up in the middle).
		failWrites((key, value) => {
			if (!key.endsWith(`poll:${pollId}`) || statusIn(value) !== 'closed' || failed > 0) return null;
			failed += 1;
			return 'SQLITE_FULL: database or disk is full';
		});
		const answer = await session.run(`/poll close poll:${pollId}`);
		expect(answer.text).toContain(`Votes on “${question}” are closed`);
		expect(answer.text).toContain('Parley will post the final result');
		expect(failed).toBe(1);
		const polls = createPollStore(session.running.ctx.store, await storeVoteKey(session.running.ctx.store));
		expect((await polls.getPoll(pollId))?.status).toBe('closing');
		// The card's buttons may already be disabled (the final card went out before the failed write); a stale client
		// can still send the click.
		const message = card(session, question);
		const late = await session.standIn.settle(
			session.standIn.click(session.standIn.member('emil'), message, voteButton(message, 1)),
		);
		expect(late[0]?.message?.content).toMatch(/^This poll closed at <t:\d+:f>\.$/);
		expect((await session.run('/poll list')).text).not.toMatch(new RegExp(`${question}\\*\\* — \\d+ votes? — closes`));

		// The next sweep (a clock jump runs one at once) finishes the same close.
		await session.run('advance 1m');
		expect((await polls.getPoll(pollId))?.status).toBe('closed');
		expect((await polls.getPoll(pollId))?.finalCounts).toEqual([1, 0]);
		expect(JSON.stringify(card(session, question).embeds)).toContain(`Closed: ${question}`);
		expect((await polls.openPolls([session.standIn.defaultGuild.id])).map((entry) => entry.id)).not.toContain(pollId);
		expect((await session.run('/poll list')).text).not.toContain(question);
		expect(readFileSync(logFile, 'utf8')).toContain('the sweep will finish it');
	}, 30_000);
});
