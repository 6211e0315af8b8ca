import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { StoredVoters, VOTERS_SHOWN_PER_CHOICE } from '../../src/polls/results.js';
import { openStore, type Store } from '../../src/store/keyv.js';
import { createPollStore } from '../../src/store/polls.js';
import { BACKENDS, freshNamespace } from '../support/backends.js';
import { testVoteKey } from '../support/vote-key.js';

const logger = createLogger({ level: 'silent', secrets: [] });

/** Paged vote reading (Results of a closed non-anonymous poll) on every backend: complete, exact, and stoppable. */
for (const backend of BACKENDS) {
	const sqlitePath = join(tmpdir(), `parley-pages-${backend.name}-${process.pid}.sqlite`);
	const url = backend.url(sqlitePath);
	describe.skipIf(url === null)(`vote pages on ${backend.name}`, () => {
		let store: Store;
		beforeAll(async () => {
			store = await openStore(url ?? '', logger, { namespace: freshNamespace() });
			const polls = createPollStore(store, testVoteKey);
			await Promise.all(
				Array.from({ length: 450 }, (_, index) =>
					polls.putVote('paged', `u${String(index).padStart(3, '0')}`, { schemaVersion: 1, choice: index % 3, at: 1 }),
				),
			);
			// Neighbours whose keys share a prefix with the poll's must never be read as its votes.
			await polls.putVote('paged2', 'other', { schemaVersion: 1, choice: 0, at: 1 });
			await polls.putVote('PAGED', 'upper', { schemaVersion: 1, choice: 0, at: 1 });
		});
		afterAll(async () => {
			await store.keyv.clear();
			await store.close();
			for (const suffix of ['', '-wal', '-shm']) rmSync(`${sqlitePath}${suffix}`, { force: true });
		});

		it('yields every vote of the poll exactly as listVotes does, a page at a time', async () => {
			const polls = createPollStore(store, testVoteKey);
			const seen = new Map<string, number>();
			let pages = 0;
			for await (const page of polls.votePages('paged', 100)) {
				pages += 1;
				for (const [userId, vote] of page) seen.set(userId, vote.choice);
			}
			const listed = await polls.listVotes('paged');
			expect(seen.size).toBe(450);
			expect(new Map([...listed].map(([userId, vote]) => [userId, vote.choice]))).toEqual(seen);
			expect(pages).toBeGreaterThanOrEqual(backend.name === 'redis' ? 1 : 5);
		});

		it('reads no further than the answer needs, and only once per closed poll', async () => {
			const polls = createPollStore(store, testVoteKey);
			let read = 0;
			const voters = new StoredVoters({
				async *votePages(pollId, pageSize) {
					for await (const page of polls.votePages(pollId, pageSize)) {
						read += page.length;
						yield page;
					}
				},
			});
			const sample = await voters.sample({ id: 'paged' }, [150, 150, 150]);
			expect([...sample.values()].map((ids) => ids.length)).toEqual([
				VOTERS_SHOWN_PER_CHOICE,
				VOTERS_SHOWN_PER_CHOICE,
				VOTERS_SHOWN_PER_CHOICE,
			]);
			expect(read).toBeGreaterThanOrEqual(3 * VOTERS_SHOWN_PER_CHOICE);
			expect(read).toBeLessThan(450);
			// A closed poll's votes never change: asking again reads nothing.
			const before = read;
			expect(await voters.sample({ id: 'paged' }, [150, 150, 150])).toEqual(sample);
			expect(read).toBe(before);
			const few = await new StoredVoters(polls).sample({ id: 'paged' }, [0, 2, 0]);
			expect(few.get(1)).toHaveLength(2);
			expect(few.get(0)).toBeUndefined();
		});
	});
}
