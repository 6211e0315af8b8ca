import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import KeyvPostgres from '@keyv/postgres';
import KeyvRedis, { type RedisClientType } from '@keyv/redis';
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import type { Logger } from '../logger.js';

/** The one Keyv the bot uses, plus what it is backed by (for logs and backend-specific fast paths). */
export interface Store {
	readonly keyv: Keyv;
	readonly backend: 'sqlite' | 'redis' | 'postgres';
	/** Human-readable location without credentials, safe to log. */
	readonly location: string;
	/**
	 * Every entry whose key starts with `prefix` (without the namespace), as stored values. Uses the backend's key
	 * order (a primary-key range scan on SQLite), never a scan of the whole store.
	 */
	listByPrefix(prefix: string): Promise<{ key: string; value: unknown }[]>;
	/**
	 * Stores `value` under `key` (without the namespace) only if the key does not exist yet, atomically through the
	 * backend's own primitive (`INSERT … ON CONFLICT DO NOTHING`, `SET NX`), and returns what the key holds
	 * afterwards: `value`, or what another process stored first. Keyv itself has no such operation.
	 */
	putIfAbsent(key: string, value: unknown): Promise<unknown>;
	close(): Promise<void>;
}

const DEFAULT_NAMESPACE = 'parley';

export interface OpenStoreOptions {
	/** Key namespace; tests use a fresh one per run on shared Redis/PostgreSQL servers. No ":" allowed. */
	readonly namespace?: string;
}

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

/** The text Keyv itself would store for a plain JSON value without a TTL, so `keyv.get` reads it back. */
function storedText(value: unknown): string {
	return JSON.stringify({ value, expires: null });
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
export async function openStore(url: string, logger: Logger, options: OpenStoreOptions = {}): Promise<Store> {
	const namespace = options.namespace ?? DEFAULT_NAMESPACE;
	if (url.startsWith('sqlite://')) return openSqlite(url, logger, namespace);
	if (url.startsWith('redis://') || url.startsWith('rediss://')) return openRedis(url, logger, namespace);
	if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url, logger, namespace);
	throw new UnsupportedStoreError(
		`STORE_URL ${redactUrl(url)} is not supported; use sqlite://, redis:// or postgres://`,
	);
}

function withErrorLog(keyv: Keyv, logger: Logger): Keyv {
	keyv.on('error', (error: unknown) => logger.error({ err: error }, 'store error'));
	return keyv;
}

async function openSqlite(url: string, logger: Logger, namespace: string): Promise<Store> {
	const path = url.slice('sqlite://'.length);
	if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
	const adapter = new KeyvSqlite({ uri: url, busyTimeout: SQLITE_BUSY_TIMEOUT_MS, iterationLimit: 500 });
	// node-sqlite3 runs queued statements concurrently, so the PRAGMAs must finish before the first write.
	await adapter.query('PRAGMA journal_mode=WAL');
	// In WAL mode, NORMAL commits without an fsync per transaction: a committed vote survives the bot process being
	// killed (the SIGKILL campaign checks this), and only an OS crash or power cut can lose the last commits. FULL
	// capped the vote path at ~400 votes/s on the development machine; NORMAL is SQLite's recommendation for WAL.
	await adapter.query('PRAGMA synchronous=NORMAL');
	const keyv = withErrorLog(new Keyv({ store: adapter, namespace, throwOnErrors: true }), logger);
	return {
		keyv,
		backend: 'sqlite',
		location: path,
		async listByPrefix(prefix) {
			// A primary-key range, not LIKE: LIKE is case-insensitive in SQLite and cannot use the index.
			const from = `${namespace}:${prefix}`;
			const rows = (await adapter.query(
				'SELECT key, value FROM keyv WHERE key >= ? AND key < ?',
				from,
				prefixUpperBound(from),
			)) as {
				key: string;
				value: string;
			}[];
			return rows
				.map((row) => ({ key: row.key.slice(namespace.length + 1), value: storedValue(row.value) }))
				.filter((entry) => entry.value !== undefined);
		},
		async putIfAbsent(key, value) {
			const full = `${namespace}:${key}`;
			await adapter.query(
				'INSERT INTO keyv (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING',
				full,
				storedText(value),
			);
			const rows = (await adapter.query('SELECT value FROM keyv WHERE key = ?', full)) as { value: string }[];
			return storedValue(rows[0]?.value);
		},
		async close() {
			await keyv.disconnect();
		},
	};
}

async function openRedis(url: string, logger: Logger, namespace: string): Promise<Store> {
	// The adapter prefixes keys itself ("parley::poll:…"); core prefixing would double it (keyv#1398).
	// A client name per process shows up in CLIENT LIST, so operators (and the fault tests) can find this bot's connection.
	const adapter = new KeyvRedis(
		{ url, name: `parley-${process.pid}` },
		{
			namespace,
			throwOnConnectError: true,
			throwOnErrors: true,
			connectionTimeout: 5_000,
		},
	);
	const keyv = withErrorLog(new Keyv({ store: adapter, namespace, useKeyPrefix: false, throwOnErrors: true }), logger);
	// STORE_URL names one Redis server (not a cluster), so the client is a plain node-redis client.
	const client = (await adapter.getClient()) as RedisClientType;
	const separator = '::';
	return {
		keyv,
		backend: 'redis',
		location: redactUrl(url),
		async listByPrefix(prefix) {
			const pattern = `${namespace}${separator}${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
			const keys: string[] = [];
			// SCAN walks the keyspace in pages; entries may repeat, hence the Set.
			for await (const batch of client.scanIterator({ MATCH: pattern, COUNT: 1_000 }))
				keys.push(...(Array.isArray(batch) ? batch : [batch]));
			const unique = [...new Set(keys)];
			const result: { key: string; value: unknown }[] = [];
			for (let start = 0; start < unique.length; start += 500) {
				const slice = unique.slice(start, start + 500);
				const values = await client.mGet(slice);
				slice.forEach((key, index) => {
					const value = storedValue(values[index]);
					if (value !== undefined) result.push({ key: key.slice(namespace.length + separator.length), value });
				});
			}
			return result.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
		},
		async putIfAbsent(key, value) {
			const full = `${namespace}${separator}${key}`;
			await client.set(full, storedText(value), { condition: 'NX' });
			return storedValue(await client.get(full));
		},
		async close() {
			await keyv.disconnect();
		},
	};
}

async function openPostgres(url: string, logger: Logger, namespace: string): Promise<Store> {
	// application_name per process shows up in pg_stat_activity (for operators, and the connection-drop test).
	const adapter = new KeyvPostgres({ uri: url, max: 10, application_name: `parley-${process.pid}` });
	const keyv = withErrorLog(new Keyv({ store: adapter, namespace, throwOnErrors: true }), logger);
	// Fail at startup, not at the first vote, when the server is unreachable.
	await keyv.get('startup-check');
	return {
		keyv,
		backend: 'postgres',
		location: redactUrl(url),
		async listByPrefix(prefix) {
			const like = `${namespace}:${prefix}`.replace(/[\\%_]/g, '\\$&');
			const rows = (await adapter.query('SELECT key, value FROM keyv WHERE key LIKE $1 ORDER BY key', [
				`${like}%`,
			])) as {
				key: string;
				value: string;
			}[];
			return rows
				.map((row) => ({ key: row.key.slice(namespace.length + 1), value: storedValue(row.value) }))
				.filter((entry) => entry.value !== undefined);
		},
		async putIfAbsent(key, value) {
			const full = `${namespace}:${key}`;
			await adapter.query('INSERT INTO keyv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
				full,
				storedText(value),
			]);
			const rows = (await adapter.query('SELECT value FROM keyv WHERE key = $1', [full])) as { value: string }[];
			return storedValue(rows[0]?.value);
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
