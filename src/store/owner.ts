import { hostname } from 'node:os';
import KeyvSqlite from '@keyv/sqlite';
import { z } from 'zod';
import type { Logger } from '../logger.js';

/**
 * One owner per SQLite store. Several processes writing one file through @keyv/sqlite lose writes that had
 * succeeded (keyv-notes §2c), and two owners close the same poll twice; so the bot process takes an exclusive lock
 * before it opens the store, and a second one refuses to start.
 *
 * The lock is SQLite's own: a small database next to the store (`<store>-owner`) on which the owner keeps a write
 * transaction open (`BEGIN IMMEDIATE`, a RESERVED lock) for as long as it runs. The kernel holds that lock for the
 * process, so it disappears with the process however it ends — a SIGKILLed owner leaves nothing stale behind and
 * the next start never waits for a timeout. Others can still read the file, which is where the owner's pid is kept.
 */

const OwnerRecord = z.object({
	pid: z.number().int(),
	hostname: z.string(),
	startedAt: z.string(),
});
type OwnerRecord = z.infer<typeof OwnerRecord>;

export class StoreInUseError extends Error {
	override readonly name = 'StoreInUseError';
	constructor(
		readonly storePath: string,
		readonly owner: OwnerRecord | null,
	) {
		const who = owner
			? `pid ${owner.pid} on host ${owner.hostname}, running since ${owner.startedAt}`
			: 'its pid is not recorded yet';
		super(
			`The SQLite store ${storePath} is already used by another Parley process (${who}). ` +
				'Only one process may own a SQLite store: stop that one first, or give this one its own STORE_URL. ' +
				'To run several processes on one store, use Redis or PostgreSQL.',
		);
	}
}

export interface SqliteOwnership {
	readonly lockPath: string;
	/** Ends the transaction and closes the lock database; the next owner can start at once. */
	release(): Promise<void>;
}

/** The lock file of a store: next to it, named like SQLite's own companions (`-wal`, `-shm`). */
export function ownerLockPath(storePath: string): string {
	return `${storePath}-owner`;
}

const OWNER_KEY = 'parley:owner';

/**
 * Takes ownership of the SQLite store at `storePath`, or throws StoreInUseError naming the process that has it.
 */
export async function acquireSqliteOwnership(storePath: string, logger: Logger): Promise<SqliteOwnership> {
	const lockPath = ownerLockPath(storePath);
	// A plain connection (the adapter creates its one table); failures surface through `query`.
	const lock = new KeyvSqlite({ uri: `sqlite://${lockPath}` });
	lock.on('error', () => {});
	const query = lock.query;
	const readOwner = async (): Promise<OwnerRecord | null> => {
		try {
			const rows = (await query('SELECT value FROM keyv WHERE key = ?', OWNER_KEY)) as { value: string }[];
			const parsed = OwnerRecord.safeParse(JSON.parse(rows[0]?.value ?? 'null'));
			return parsed.success ? parsed.data : null;
		} catch {
			return null;
		}
	};
	const refuse = async (): Promise<never> => {
		const owner = await readOwner();
		await lock.close().catch(() => {});
		throw new StoreInUseError(storePath, owner);
	};
	const isBusy = (error: unknown) =>
		typeof error === 'object' && error !== null && 'code' in error && error.code === 'SQLITE_BUSY';

	try {
		// Fail at once when another process holds the lock, instead of node-sqlite3's default 1 s wait.
		await query('PRAGMA busy_timeout = 0');
		await query('BEGIN IMMEDIATE');
	} catch (error) {
		if (isBusy(error)) return refuse();
		await lock.close().catch(() => {});
		throw error;
	}
	const me: OwnerRecord = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };
	// The owner record becomes readable only once committed; committing lets go of the lock for a moment, so take
	// it again: if another process slipped in between, it is the owner and this one refuses like any other.
	await query('INSERT OR REPLACE INTO keyv (key, value) VALUES (?, ?)', OWNER_KEY, JSON.stringify(me));
	await query('COMMIT');
	try {
		await query('BEGIN IMMEDIATE');
	} catch (error) {
		if (isBusy(error)) return refuse();
		await lock.close().catch(() => {});
		throw error;
	}
	logger.info({ store: storePath, lock: lockPath, pid: me.pid }, 'took ownership of the SQLite store');

	let released: Promise<void> | undefined;
	return {
		lockPath,
		release() {
			released ??= (async () => {
				await query('ROLLBACK').catch(() => {});
				await lock.close();
			})();
			return released;
		},
	};
}
