import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closingRecord } from '../../src/domain/poll.js';
import { createLogger } from '../../src/logger.js';
import { openStore, type Store } from '../../src/store/keyv.js';
import { createPollStore } from '../../src/store/polls.js';
import { BACKENDS, freshNamespace } from '../support/backends.js';
import { storedPoll } from '../support/poll-record.js';
import { testVoteKey } from '../support/vote-key.js';

const logger = createLogger({ level: 'silent', secrets: [] });

const poll = (id: string) => storedPoll(id, { anonymous: false });

const vote = (choice: number) => ({ schemaVersion: 1 as const, choice, at: 1 });

/**
 * The close claim on every backend: taken once, together with the `closing` record, and no vote is stored after
 * it. Claims racing votes from another process are tested with real processes in tests/reliability/rolling-overlap.
 */
for (const backend of BACKENDS) {
	const sqlitePath = join(tmpdir(), `parley-claim-${backend.name}-${process.pid}.sqlite`);
	const url = backend.url(sqlitePath);
	describe.skipIf(url === null)(`close claim on ${backend.name}`, () => {
		let store: Store;
		beforeAll(async () => {
			store = await openStore(url ?? '', logger, { namespace: freshNamespace() });
		});
		afterAll(async () => {
			await store.keyv.clear();
			await store.close();
			for (const suffix of ['', '-wal', '-shm']) rmSync(`${sqlitePath}${suffix}`, { force: true });
		});

		it('is taken once, stores the closing record with it, and refuses every vote after it', async () => {
			const polls = createPollStore(store, testVoteKey);
			const open = poll('claim1');
			await polls.savePoll(open);
			expect(await polls.putVote(open.id, 'alice', vote(0))).toBe('recorded');
			const closing = closingRecord(open, 1_000, 'deadline');
			const outcomes = await Promise.all([polls.claimClose(closing), polls.claimClose(closing)]);
			expect(outcomes.filter(Boolean)).toHaveLength(1);
			expect((await polls.getPoll(open.id))?.status).toBe('closing');
			expect(await polls.claimClose(closing)).toBe(false);

			expect(await polls.putVote(open.id, 'bob', vote(1))).toBe('closed');
			expect(await polls.putVote(open.id, 'alice', vote(2))).toBe('closed');
			const votes = await polls.listVotes(open.id);
			expect([...votes.keys()]).toEqual(['alice']);
			expect(votes.get('alice')?.choice).toBe(0);
			// Another poll is not affected.
			expect(await polls.putVote('claim-other', 'bob', vote(1))).toBe('recorded');
		});
	});
}
