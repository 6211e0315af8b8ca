import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { openStore, type Store } from '../../src/store/keyv.js';
import { createPollStore } from '../../src/store/polls.js';
import { openVoteKey, VoteKey, VoteKeyError } from '../../src/store/vote-key.js';
import { BACKENDS, freshNamespace } from '../support/backends.js';
import { storedPoll } from '../support/poll-record.js';

const logger = createLogger({ level: 'silent', secrets: [] });
const ALICE = '1440000000000000101';
const BOB = '1440000000000000102';

/** A poll stored before votes were hashed (schema 1). */
const legacyPoll = storedPoll;

describe('VoteKey', () => {
	it('gives one member the same key on a poll, another on another poll, and never the member id', () => {
		const key = new VoteKey(VoteKey.generateSecret(), { kind: 'memory' });
		expect(key.voterKey('p1', ALICE)).toBe(key.voterKey('p1', ALICE));
		expect(key.voterKey('p1', ALICE)).toMatch(/^[0-9a-f]{64}$/);
		expect(key.voterKey('p1', ALICE)).not.toBe(key.voterKey('p1', BOB));
		expect(key.voterKey('p1', ALICE)).not.toBe(key.voterKey('p2', ALICE));
		expect(key.voterKey('p1', ALICE)).not.toBe(
			new VoteKey(VoteKey.generateSecret(), { kind: 'memory' }).voterKey('p1', ALICE),
		);
	});

	it('refuses a short secret', () => {
		expect(() => new VoteKey('too short', { kind: 'configuration' })).toThrow(VoteKeyError);
	});
});

describe('the vote key of a SQLite store', () => {
	const path = join(tmpdir(), `parley-vote-key-${process.pid}.sqlite`);
	const remove = () => {
		for (const suffix of ['', '-wal', '-shm', '.vote-key']) rmSync(`${path}${suffix}`, { force: true });
	};
	beforeAll(remove);
	afterAll(remove);

	const withStore = async <T>(run: (store: Store) => Promise<T>): Promise<T> => {
		const store = await openStore(`sqlite://${path}`, logger);
		try {
			return await run(store);
		} finally {
			await store.close();
		}
	};

	it('is generated on first start next to the database, readable by the bot only, and reused afterwards', async () => {
		const first = await withStore((store) => openVoteKey(store, {}, logger));
		expect(first.source).toEqual({ kind: 'file', path: `${path}.vote-key` });
		expect(statSync(`${path}.vote-key`).mode & 0o777).toBe(0o600);
		expect(readFileSync(`${path}.vote-key`, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
		const again = await withStore((store) => openVoteKey(store, {}, logger));
		expect(again.voterKey('p', ALICE)).toBe(first.voterKey('p', ALICE));
		// The key itself is never in the database, only a fingerprint of it.
		const secret = readFileSync(`${path}.vote-key`, 'utf8').trim();
		expect(readFileSync(path).toString('latin1')).not.toContain(secret);
	});

	it('accepts the same secret moved to VOTE_KEY_SECRET, and refuses to start with another or a lost key file', async () => {
		const secret = readFileSync(`${path}.vote-key`, 'utf8');
		const moved = await withStore((store) => openVoteKey(store, { secret: secret.trim() }, logger));
		expect(moved.source).toEqual({ kind: 'configuration' });
		await expect(
			withStore((store) => openVoteKey(store, { secret: VoteKey.generateSecret() }, logger)),
		).rejects.toThrow(/VOTE_KEY_SECRET is not the one this store's anonymous votes were recorded with/);
		rmSync(`${path}.vote-key`);
		await expect(withStore((store) => openVoteKey(store, {}, logger))).rejects.toThrow(
			`The vote key file ${path}.vote-key is missing`,
		);
		// Not silently replaced by a new key: restoring the old one is the way back.
		expect(existsSync(`${path}.vote-key`)).toBe(false);
	});
});

for (const backend of BACKENDS) {
	const path = join(tmpdir(), `parley-vote-key-${process.pid}-${backend.name}-shared.sqlite`);
	const url = backend.url(path);
	describe.skipIf(url === null)(`vote keys on ${backend.name}`, () => {
		let store: Store;
		beforeAll(async () => {
			store = await openStore(url ?? '', logger, { namespace: freshNamespace() });
		});
		afterAll(async () => {
			await store.keyv.clear();
			await store.close();
			for (const suffix of ['', '-wal', '-shm', '.vote-key']) rmSync(`${path}${suffix}`, { force: true });
		});

		it('putIfAbsent keeps the first value when many writers race', async () => {
			const results = await Promise.all(
				Array.from({ length: 20 }, (_, index) => store.putIfAbsent('race:one', { writer: index })),
			);
			expect(new Set(results.map((result) => JSON.stringify(result))).size).toBe(1);
			expect(await store.keyv.get('race:one')).toEqual(results[0]);
		});

		it('every process opening the store gets the same key', async () => {
			const [a, b] = await Promise.all([openVoteKey(store, {}, logger), openVoteKey(store, {}, logger)]);
			expect(a?.voterKey('p', ALICE)).toBe(b?.voterKey('p', ALICE));
			expect(a?.source.kind).toBe(backend.name === 'sqlite' ? 'file' : 'store');
		});

		it('re-keys the votes of anonymous polls stored before hashing, once, and leaves other polls alone', async () => {
			const key = await openVoteKey(store, {}, logger);
			const polls = createPollStore(store, key);
			const open = legacyPoll('legacyopen');
			const closed = legacyPoll('legacyclosed', {
				status: 'closed',
				closedAt: 5,
				closedBy: 'deadline',
				finalCounts: [1, 1, 0],
			});
			const named = legacyPoll('legacynamed', { anonymous: false });
			for (const poll of [open, closed, named]) {
				await polls.savePoll(poll);
				await polls.putVote(poll.id, ALICE, { schemaVersion: 1, choice: 0, at: 1 });
				await polls.putVote(poll.id, BOB, { schemaVersion: 1, choice: 1, at: 1 });
			}
			// Interrupted after the first vote was written under its hash, before its member-id key went.
			await polls.putVote(open.id, key.voterKey(open.id, ALICE), { schemaVersion: 1, choice: 0, at: 1 });

			const upgraded = await polls.migrateAnonymousVotes(open);
			expect(upgraded.schemaVersion).toBe(2);
			expect((await polls.getPoll(open.id))?.schemaVersion).toBe(2);
			const votes = await polls.listVotes(open.id);
			expect([...votes.keys()].sort()).toEqual([key.voterKey(open.id, ALICE), key.voterKey(open.id, BOB)].sort());
			expect(votes.get(polls.voterKey(upgraded, BOB))?.choice).toBe(1);
			expect(await polls.migrateAnonymousVotes(upgraded)).toBe(upgraded);

			expect(await polls.migrateClosedAnonymousPolls(10)).toBe(1);
			expect([...(await polls.listVotes(closed.id)).keys()]).not.toContain(ALICE);
			expect((await polls.getPoll(closed.id))?.schemaVersion).toBe(2);
			expect(await polls.migrateClosedAnonymousPolls(11)).toBe(0);
			expect([...(await polls.listVotes(named.id)).keys()].sort()).toEqual([ALICE, BOB]);
			expect(polls.voterKey(named, ALICE)).toBe(ALICE);
		});
	});
}
