import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import { createLogger } from '../src/logger.js';
import { openStore, type Store } from '../src/store/keyv.js';
import { createPollStore } from '../src/store/polls.js';
import { VoteKey } from '../src/store/vote-key.js';

/**
 * `npx tsx bench/vote-gate.ts`: what the close claim costs a vote. Each backend stores VOTES votes on one poll, IN_FLIGHT
 * at a time, twice: as a plain Keyv set of the vote key (what a vote cost before the claim; the baseline) and through
 * PollStore.putVote, which writes only if the poll's close has not been claimed (SQLite: a claim read and the file
 * check; Redis: one Lua script; PostgreSQL: one statement locking the claim row FOR SHARE). Prints votes/s and the
 * gated rate as a ratio to the baseline of the same run (median of 5 rounds each). Redis and PostgreSQL run when REDIS_URL / POSTGRES_URL are set.
 */
const VOTES = 4_000;
const IN_FLIGHT = 64;
const ROUNDS = 5;

async function pool(count: number, inFlight: number, task: (index: number) => Promise<unknown>): Promise<number> {
	let next = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: inFlight }, async () => {
			for (;;) {
				const index = next;
				next += 1;
				if (index >= count) return;
				await task(index);
			}
		}),
	);
	return performance.now() - started;
}

const vote = (index: number) => ({ schemaVersion: 1 as const, choice: index % 3, at: index });

async function measure(name: string, store: Store, unchecked: Keyv | null): Promise<void> {
	const polls = createPollStore(store, new VoteKey(VoteKey.generateSecret(), { kind: 'memory' }));
	const plain: number[] = [];
	const gated: number[] = [];
	const bare: number[] = [];
	for (let round = 0; round < ROUNDS; round += 1) {
		const id = `bench${round}${Date.now().toString(36)}`;
		if (unchecked)
			bare.push(await pool(VOTES, IN_FLIGHT, (index) => unchecked.set(`vote:${id}c:u${index}`, vote(index))));
		plain.push(await pool(VOTES, IN_FLIGHT, (index) => store.keyv.set(`vote:${id}a:u${index}`, vote(index))));
		gated.push(await pool(VOTES, IN_FLIGHT, (index) => polls.putVote(`${id}b`, `u${index}`, vote(index))));
	}
	// The median round: the development machine is shared, and single rounds vary by a factor of two.
	const best = (runs: number[]) => [...runs].sort((a, b) => a - b)[Math.floor(runs.length / 2)] ?? Number.NaN;
	const rate = (ms: number) => Math.round(VOTES / (ms / 1000));
	console.log(
		JSON.stringify({
			backend: name,
			votes: VOTES,
			inFlight: IN_FLIGHT,
			baselineVotesPerS: rate(best(plain)),
			gatedVotesPerS: rate(best(gated)),
			gatedToBaseline: Number((best(plain) / best(gated)).toFixed(2)),
			// SQLite: the same set on a connection without the file check, to show what the check costs.
			...(bare.length > 0
				? {
						uncheckedVotesPerS: rate(best(bare)),
						checkedToUnchecked: Number((best(bare) / best(plain)).toFixed(2)),
					}
				: {}),
			runsMs: { baseline: plain.map(Math.round), gated: gated.map(Math.round), unchecked: bare.map(Math.round) },
		}),
	);
}

const logger = createLogger({ level: 'silent', secrets: [] });
const dir = mkdtempSync(join(tmpdir(), 'parley-gate-'));
const backends = [
	{ name: 'sqlite', url: `sqlite://${join(dir, 'gate.sqlite')}` },
	...(process.env.REDIS_URL ? [{ name: 'redis', url: process.env.REDIS_URL }] : []),
	...(process.env.POSTGRES_URL ? [{ name: 'postgres', url: process.env.POSTGRES_URL }] : []),
];
try {
	for (const backend of backends) {
		const namespace = `gate${Date.now().toString(36)}`;
		const store = await openStore(backend.url, logger, { namespace, owner: true });
		let unchecked: Keyv | null = null;
		if (backend.name === 'sqlite') {
			// Configured like the store's own connection (WAL is a property of the file; synchronous is per connection).
			const adapter = new KeyvSqlite({ uri: backend.url, busyTimeout: 15_000 });
			await adapter.query('PRAGMA synchronous=NORMAL');
			unchecked = new Keyv({ store: adapter, namespace, throwOnErrors: true });
		}
		try {
			await measure(backend.name, store, unchecked);
		} finally {
			await unchecked?.disconnect();
			await store.keyv.clear();
			await store.close();
		}
	}
} finally {
	rmSync(dir, { recursive: true, force: true });
}
