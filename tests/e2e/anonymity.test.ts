import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrySession } from '../../src/local/session.js';
import type { MessageState } from '../../src/local/standin/state.js';
import type { Store } from '../../src/store/keyv.js';
import { createPollStore } from '../../src/store/polls.js';
import { VoteKey } from '../../src/store/vote-key.js';
import { BACKENDS, freshNamespace } from '../support/backends.js';

function card(session: TrySession, question: string): MessageState {
	const found = [...session.standIn.messages.values()].find(
		(message) =>
			message.visibleTo === null &&
			[question, `Closed: ${question}`].includes((message.embeds as { title?: string }[])[0]?.title ?? ''),
	);
	if (!found) throw new Error(`no card for ${question}`);
	return found;
}

/** Every key and value in the bot's namespace, as one text: what a database dump would show. */
async function dump(store: Store): Promise<string> {
	if (!store.keyv.iterator) throw new Error(`${store.backend} store cannot be iterated`);
	const lines: string[] = [];
	for await (const [key, value] of store.keyv.iterator(undefined))
		lines.push(`${String(key)} = ${JSON.stringify(value)}`);
	return lines.join('\n');
}

for (const backend of BACKENDS) {
	const path = join(tmpdir(), `parley-anonymity-${process.pid}-${backend.name}.sqlite`);
	const url = backend.url(path);
	describe.skipIf(url === null)(`anonymous polls on ${backend.name}`, () => {
		let session: TrySession;
		const namespace = freshNamespace();
		beforeAll(async () => {
			session = await TrySession.start({ storeUrl: url ?? '', storeNamespace: namespace, logLevel: 'warn' });
		});
		afterAll(async () => {
			await session.running.ctx.store.keyv.clear();
			await session.stop();
			for (const suffix of ['', '-wal', '-shm', '-journal', '.vote-key']) rmSync(`${path}${suffix}`, { force: true });
		});

		it('a dump of the store names no voter of an anonymous poll; votes can still be changed, across a restart', async () => {
			const steps = [
				'/poll start question:"Secret ballot" duration:1h',
				'as alice click Pressure',
				'as bob click Compromise',
				'as carol click Pressure',
				'as carol click Compromise',
				'restart',
				'as carol click Undecided',
				'as alice click Pressure',
				'as erin click Pressure',
				'/poll start question:"Open ballot" style:yes-no anonymous:false duration:1h',
				'as dave click Yes',
			];
			const results = [];
			for (const step of steps) results.push(await session.run(step));
			expect(results.map((result) => result.error ?? 'ok')).toEqual(steps.map(() => 'ok'));
			expect(results[4]?.text).toContain('Changed your vote from Pressure to Compromise');
			// After a restart the member is still recognised: a change, and a repeat click that counts once.
			expect(results[6]?.text).toContain('Changed your vote from Compromise to Undecided');
			expect(results[7]?.text).not.toContain('Recorded:');
			expect(JSON.stringify(card(session, 'Secret ballot').embeds)).toContain('3 of about');

			const voters = ['alice', 'bob', 'carol', 'erin'].map((name) => session.standIn.member(name).id);
			const dave = session.standIn.member('dave').id;
			// Read through the bot's own connection (a second PostgreSQL client on the same URL would share its pool).
			const text = await dump(session.running.ctx.store);
			expect(text).toContain('Secret ballot');
			expect(text.match(/vote:/g)?.length ?? 0).toBeGreaterThanOrEqual(4);
			for (const id of voters) expect(text).not.toContain(id);
			// A non-anonymous poll is unchanged: moderators see its voters, so its vote keys carry member ids.
			expect(text).toContain(dave);
			if (backend.name === 'sqlite') {
				// The file itself (and its write-ahead log) as well, not only what SQL returns.
				const bytes = ['', '-wal']
					.filter((suffix) => existsSync(`${path}${suffix}`))
					.map((suffix) => readFileSync(`${path}${suffix}`).toString('latin1'))
					.join('');
				for (const id of voters) expect(bytes).not.toContain(id);
			}

			const closed = await session.run('advance 2h');
			expect(closed.text).toContain('**Pressure** — 2 (');
			expect(closed.text).toContain('**Compromise** — 1 (');
			expect(closed.text).toContain('**Undecided** — 1 (');
		});

		it('an anonymous poll stored before votes were hashed keeps working, and its member ids leave the store', async () => {
			await session.run('/poll start question:"Legacy ballot" style:yes-no duration:1h');
			const message = card(session, 'Legacy ballot');
			const pollId = /Poll (\w+)/.exec(JSON.stringify(message.embeds))?.[1] ?? '';
			const [olga, pete] = ['olga', 'pete'].map((name) => session.standIn.member(name).id);
			// What the previous version wrote: a schema-1 record and votes under the member ids.
			const { ctx } = session.running;
			const polls = createPollStore(ctx.store, new VoteKey(VoteKey.generateSecret(), { kind: 'memory' }));
			const current = await polls.getPoll(pollId);
			if (!current || !olga || !pete) throw new Error('setup failed');
			await polls.savePoll({ ...current, schemaVersion: 1 });
			await polls.putVote(pollId, olga, { schemaVersion: 1, choice: 0, at: 1 });
			await polls.putVote(pollId, pete, { schemaVersion: 1, choice: 1, at: 1 });
			await session.run('restart');
			await session.running.ctx.polls.settled();

			expect((await session.run('as olga click No')).text).toContain('Changed your vote from Yes to No');
			expect((await session.run('as pete click No')).text).not.toContain('Recorded:');
			const text = await dump(session.running.ctx.store);
			expect(text).toContain('Legacy ballot');
			expect(text).not.toContain(olga);
			expect(text).not.toContain(pete);
			const reopened = createPollStore(
				session.running.ctx.store,
				new VoteKey(VoteKey.generateSecret(), { kind: 'memory' }),
			);
			expect((await reopened.getPoll(pollId))?.schemaVersion).toBe(2);
			expect((await session.run('click Results')).text).toContain('**No** — 2 (');
		});

		it('the card says exactly who can and cannot see a vote, the bot’s operator included', async () => {
			await session.run('/poll start question:"Promise poll" duration:1h');
			const description = (card(session, 'Promise poll').embeds as { description?: string }[])[0]?.description ?? '';
			expect(description).toContain(
				'Votes are anonymous: no member or moderator can see who voted what, and Parley stores no member id with a vote. Whoever runs the bot could still find out.',
			);
			expect(description).not.toContain('nobody');
		});
	});
}
