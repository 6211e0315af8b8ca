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
	/**
	 * Every entry whose key starts with `prefix` (without the namespace), as stored values. Uses the backend's key
	 * order (a primary-key range scan on SQLite), never a scan of the whole store.
	 */
	listByPrefix(prefix: string): Promise<{ key: string; value: unknown }[]>;
	close(): Promise<void>;
}

const NAMESPACE = 'parley';

/** The smallest string greater than every string that starts with `prefix` (for a half-open key range). */
export function prefixUpperBound(prefix: string): string {
	const last = prefix.charCodeAt(prefix.length - 1);
	return `${prefix.slice(0, -1)}${String.fromCharCode(last + 1)}`;
}

/**
 * Keyv stores `{"value":…,"expires":…}` as JSON text. Our values are plain JSON without TTLs, so JSON.parse reads
 * them back exactly; each repository validates them with zod.
 */
function storedValue(text: unknown): unknown {
	if (typeof text !== 'string') return undefined;
	return (JSON.parse(text) as { value?: unknown }).value;
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
	const keyv = new Keyv({ store: adapter, namespace: NAMESPACE, throwOnErrors: true });
	keyv.on('error', (error: unknown) => logger.error({ err: error }, 'store error'));
	return {
		keyv,
		backend: 'sqlite',
		location: path,
		async listByPrefix(prefix) {
			const from = `${NAMESPACE}:${prefix}`;
			const rows = (await adapter.query(
				'SELECT key, value FROM keyv WHERE key >= ? AND key < ?',
				from,
				prefixUpperBound(from),
			)) as {
				key: string;
				value: string;
			}[];
			return rows
				.map((row) => ({ key: row.key.slice(NAMESPACE.length + 1), value: storedValue(row.value) }))
				.filter((entry) => entry.value !== undefined);
		},
		async close() {
			await keyv.disconnect();
		},
	};
}

/** Strips credentials from a store URL before it reaches a log line or a message. */
export function redactUrl(url: string): string {
	return url.replace(/\/\/([^@/]*)@/, '//[credentials]@');
}
