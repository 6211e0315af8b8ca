import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import type { Logger } from '../logger.js';

/** The one Keyv the bot uses, plus what it is backed by (for logs and backend-specific fast paths). */
export interface Store {
	readonly keyv: Keyv;
	readonly backend: 'sqlite';
	/** Human-readable location without credentials, safe to log. */
	readonly location: string;
	close(): Promise<void>;
}

/** SQLite waits this long for a lock held by another connection before failing (keyv-notes §2c: ≥ 10 s). */
export const SQLITE_BUSY_TIMEOUT_MS = 15_000;

export class UnsupportedStoreError extends Error {
	override readonly name = 'UnsupportedStoreError';
}

/**
 * Opens the bot's single Keyv store from STORE_URL. SQLite is configured for a bot's write pattern: WAL journal
 * (≈ 3× the concurrent write throughput of the default journal) and a long busy timeout. `throwOnErrors` is on:
 * by default keyv turns a failing `get` into `undefined`, which would silently look like "no such poll".
 */
export async function openStore(url: string, logger: Logger): Promise<Store> {
	if (!url.startsWith('sqlite://')) {
		throw new UnsupportedStoreError(
			`STORE_URL ${redactUrl(url)} is not supported by this version of Parley; use sqlite://path/to/file.sqlite`,
		);
	}
	const path = url.slice('sqlite://'.length);
	if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
	const adapter = new KeyvSqlite({ uri: url, busyTimeout: SQLITE_BUSY_TIMEOUT_MS, iterationLimit: 500 });
	// node-sqlite3 runs queued statements concurrently, so the PRAGMA must finish before the first write.
	await adapter.query('PRAGMA journal_mode=WAL');
	const keyv = new Keyv({ store: adapter, namespace: 'parley', throwOnErrors: true });
	keyv.on('error', (error: unknown) => logger.error({ err: error }, 'store error'));
	return {
		keyv,
		backend: 'sqlite',
		location: path,
		async close() {
			await keyv.disconnect();
		},
	};
}

/** Strips credentials from a store URL before it reaches a log line or a message. */
export function redactUrl(url: string): string {
	return url.replace(/\/\/([^@/]*)@/, '//[credentials]@');
}
