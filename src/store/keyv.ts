import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import KeyvPostgres from '@keyv/postgres';
import KeyvRedis, { type RedisClientType } from '@keyv/redis';
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import type { Logger } from '../logger.js';
import { ClaimGate } from './claim-gate.js';
import { StoreFileWatch } from './file-watch.js';
import { acquireSqliteOwnership, type SqliteOwnership } from './owner.js';

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
	 * The same entries as `listByPrefix`, a page of at most about `pageSize` at a time, read only as the caller asks
	 * for the next page: a caller that stops early reads no more. SQLite and PostgreSQL page in key order (keyset
	 * pagination on the primary key); Redis pages with SCAN, in no order, and may repeat an entry.
	 */
	scanPrefix(prefix: string, pageSize: number): AsyncIterable<{ key: string; value: unknown }[]>;
	/**
	 * "First one wins", atomically on every backend: when nobody has claimed `claimKey` yet, stores `claimValue`
	 * under it and `write` in the same step and returns true; otherwise writes nothing and returns false. Redis: one
	 * Lua script around `SET NX`; PostgreSQL: one statement (`INSERT … ON CONFLICT … WHERE`); SQLite (one writing
	 * process, under the owner lock): an in-process gate. A claim is never released.
	 */
	claim(claimKey: string, claimValue: unknown, write: StoreEntry): Promise<boolean>;
	/**
	 * Stores `write` unless `claimKey` has been claimed, and cannot interleave with `claim`: a write that returns true
	 * happened before the claim (so whoever claimed sees it), one that comes after the claim returns false.
	 */
	setUnlessClaimed(claimKey: string, write: StoreEntry): Promise<boolean>;
	/**
	 * Rejects with StoreUnavailableError when what is written would be lost (the SQLite file was deleted or
	 * replaced); every write checks this itself, this is for answers that write nothing.
	 */
	assertWritable(): Promise<void>;
	/**
	 * Stores `value` under `key` (without the namespace) only if the key does not exist yet, atomically through the
	 * backend's own primitive (`INSERT … ON CONFLICT DO NOTHING`, `SET NX`), and returns what the key holds
	 * afterwards: `value`, or what another process stored first. Keyv itself has no such operation.
	 */
	putIfAbsent(key: string, value: unknown): Promise<unknown>;
	close(): Promise<void>;
}

export interface StoreEntry {
	/** Without the namespace, as given to `keyv.get` / `keyv.set`. */
	readonly key: string;
	readonly value: unknown;
}

const DEFAULT_NAMESPACE = 'parley';

export interface OpenStoreOptions {
	/** Key namespace; tests use a fresh one per run on shared Redis/PostgreSQL servers. No ":" allowed. */
	readonly namespace?: string;
	/**
	 * This process is the store's owner (the bot, not a script or a test reading it). On SQLite it takes the
	 * exclusive owner lock first, so a second bot on the same file refuses to start (StoreInUseError).
	 */
	readonly owner?: boolean;
	/** How often a SQLite store checks, between writes, that its file is still there (default 5 s). */
	readonly fileCheckIntervalMs?: number;
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

/** A row of the keyv table, as SQLite and PostgreSQL return it. */
type KeyvRow = { key: string; value: string };

/** Rows as entries with the namespace taken off their keys, leaving out values Keyv would read as absent. */
function entriesOf(rows: readonly KeyvRow[], namespace: string): { key: string; value: unknown }[] {
	return rows
		.map((row) => ({ key: row.key.slice(namespace.length + 1), value: storedValue(row.value) }))
		.filter((entry) => entry.value !== undefined);
}

/**
 * Keyset pagination over the keyv table's primary key: `page(after)` reads the next `pageSize` rows in key order after
 * `after` (from the start when null); stops at a short page, so a caller that stops early reads no more.
 */
async function* keysetPages(
	page: (after: string | null) => Promise<KeyvRow[]>,
	namespace: string,
	pageSize: number,
): AsyncIterable<{ key: string; value: unknown }[]> {
	let after: string | null = null;
	for (;;) {
		const rows = await page(after);
		const last = rows.at(-1);
		if (!last) return;
		after = last.key;
		yield entriesOf(rows, namespace);
		if (rows.length < pageSize) return;
	}
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
	if (url.startsWith('sqlite://')) return openSqlite(url, logger, namespace, options);
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

/** A value as Keyv itself stores it (`{"value":…}` through its serializer), for writes that bypass `keyv.set`. */
async function serialized(keyv: Keyv, value: unknown): Promise<string> {
	const text = await keyv.serializeData({ value, expires: undefined });
	if (typeof text !== 'string') throw new TypeError('the Keyv serializer did not produce text');
	return text;
}

const SQL_WRITE = /^\s*(insert|update|delete|replace)\b/i;

async function openSqlite(url: string, logger: Logger, namespace: string, options: OpenStoreOptions): Promise<Store> {
	const path = url.slice('sqlite://'.length);
	const onDisk = path !== ':memory:';
	if (onDisk) mkdirSync(dirname(path), { recursive: true });
	const ownership: SqliteOwnership | null = options.owner && onDisk ? await acquireSqliteOwnership(path, logger) : null;
	let watch: StoreFileWatch | null = null;
	try {
		const adapter = new KeyvSqlite({ uri: url, busyTimeout: SQLITE_BUSY_TIMEOUT_MS, iterationLimit: 500 });
		// node-sqlite3 runs queued statements concurrently, so the PRAGMAs must finish before the first write.
		await adapter.query('PRAGMA journal_mode=WAL');
		// In WAL mode, NORMAL commits without an fsync per transaction: a committed vote survives the bot process being
		// killed (the SIGKILL campaign checks this), and only an OS crash or power cut can lose the last commits. FULL
		// capped the vote path at ~400 votes/s on the development machine; NORMAL is SQLite's recommendation for WAL.
		await adapter.query('PRAGMA synchronous=NORMAL');
		const query = adapter.query;
		if (onDisk) {
			const opened = await StoreFileWatch.start({
				path,
				logger,
				intervalMs: options.fileCheckIntervalMs ?? 5_000,
				// The connection still reads the deleted file; VACUUM INTO copies all of it to a new one.
				rescue: async (target) => {
					await query('VACUUM INTO ?', target);
				},
			});
			watch = opened;
			// Every write the adapter (or this module) makes goes through `query`: check the file first.
			adapter.query = async (sql, ...parameters) => {
				if (SQL_WRITE.test(sql)) await opened.assertIntact();
				return query(sql, ...parameters);
			};
		}
		const intact = watch;
		return sqliteStore(
			adapter,
			logger,
			namespace,
			path,
			async () => {
				await intact?.assertIntact();
			},
			async () => {
				intact?.stop();
				await ownership?.release();
			},
		);
	} catch (error) {
		watch?.stop();
		await ownership?.release().catch(() => {});
		throw error;
	}
}

function sqliteStore(
	adapter: KeyvSqlite,
	logger: Logger,
	namespace: string,
	path: string,
	assertWritable: () => Promise<void>,
	afterClose: () => Promise<void>,
): Store {
	const keyv = withErrorLog(new Keyv({ store: adapter, namespace, throwOnErrors: true }), logger);
	const gate = new ClaimGate();
	// Exact once read: this process is the file's only writer (the owner lock) and a claim is never released. One
	// small entry per poll voted on or closed since the start, so a vote costs no extra read after the first.
	const claimed = new Map<string, boolean>();
	const isClaimed = async (claimKey: string) => {
		const known = claimed.get(claimKey);
		if (known !== undefined) return known;
		const found = (await keyv.get(claimKey)) !== undefined;
		claimed.set(claimKey, found);
		return found;
	};
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
			return entriesOf(rows, namespace);
		},
		scanPrefix(prefix, pageSize) {
			const from = `${namespace}:${prefix}`;
			const upper = prefixUpperBound(from);
			return keysetPages(
				async (after) =>
					(await (after === null
						? adapter.query(
								'SELECT key, value FROM keyv WHERE key >= ? AND key < ? ORDER BY key LIMIT ?',
								from,
								upper,
								pageSize,
							)
						: adapter.query(
								'SELECT key, value FROM keyv WHERE key > ? AND key < ? ORDER BY key LIMIT ?',
								after,
								upper,
								pageSize,
							))) as KeyvRow[],
				namespace,
				pageSize,
			);
		},

		// The owner lock makes this process the file's only writer, so an in-process gate makes the check and the
		// write atomic. The writes go through Keyv like every other (its error events, the file check above).
		async claim(claimKey, claimValue, write) {
			return gate.claim(claimKey, async () => {
				if (await isClaimed(claimKey)) return false;
				// The record first: if it fails, nothing is claimed and the close can simply be tried again.
				await keyv.set(write.key, write.value);
				await keyv.set(claimKey, claimValue);
				claimed.set(claimKey, true);
				return true;
			});
		},
		assertWritable,
		setUnlessClaimed(claimKey, write) {
			return gate.write(
				claimKey,
				() => isClaimed(claimKey),
				async () => {
					await keyv.set(write.key, write.value);
				},
			);
		},
		async putIfAbsent(key, value) {
			const fullKey = `${namespace}:${key}`;
			await adapter.query(
				'INSERT INTO keyv (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING',
				fullKey,
				storedText(value),
			);
			const rows = (await adapter.query('SELECT value FROM keyv WHERE key = ?', fullKey)) as { value: string }[];
			return storedValue(rows[0]?.value);
		},
		async close() {
			try {
				await keyv.disconnect();
			} finally {
				await afterClose();
			}
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
	const full = (key: string) => `${namespace}${separator}${key}`;
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
		async *scanPrefix(prefix, pageSize) {
			const pattern = `${namespace}${separator}${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
			for await (const batch of client.scanIterator({ MATCH: pattern, COUNT: pageSize })) {
				const keys = Array.isArray(batch) ? batch : [batch];
				if (keys.length === 0) continue;
				const values = await client.mGet(keys);
				const page: { key: string; value: unknown }[] = [];
				keys.forEach((key, index) => {
					const value = storedValue(values[index]);
					if (value !== undefined) page.push({ key: key.slice(namespace.length + separator.length), value });
				});
				yield page;
			}
		},
		// Lua scripts run atomically on the server: nothing runs between the claim check and the write.
		async claim(claimKey, claimValue, write) {
			const reply = await client.eval(REDIS_CLAIM, {
				keys: [full(claimKey), full(write.key)],
				arguments: [await serialized(keyv, claimValue), await serialized(keyv, write.value)],
			});
			return reply === 1;
		},
		async setUnlessClaimed(claimKey, write) {
			const reply = await client.eval(REDIS_SET_UNLESS_CLAIMED, {
				keys: [full(claimKey), full(write.key)],
				arguments: [await serialized(keyv, write.value)],
			});
			return reply === 1;
		},
		// A server's own failures reach every write as errors; there is no file here to lose.
		assertWritable: async () => {},
		async putIfAbsent(key, value) {
			const fullKey = `${namespace}${separator}${key}`;
			await client.set(fullKey, storedText(value), { condition: 'NX' });
			return storedValue(await client.get(fullKey));
		},
		async close() {
			await keyv.disconnect();
		},
	};
}

const REDIS_CLAIM = `if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('SET', KEYS[2], ARGV[2])
  return 1
end
return 0`;

const REDIS_SET_UNLESS_CLAIMED = `if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[2], ARGV[1])
return 1`;

/**
 * PostgreSQL has no lock on a row that does not exist, so the claim key is a row from the first vote on: it holds
 * this marker until it is claimed. A vote locks it FOR SHARE while writing (many votes at once, no waiting); the
 * claim's upsert needs it exclusively, so it waits for votes in flight to commit, and a vote that comes after it
 * re-reads the row (READ COMMITTED re-checks locked rows), sees the claim, and writes nothing.
 */
const PG_UNCLAIMED = '{"value":"unclaimed"}';

const PG_SET_UNLESS_CLAIMED = `WITH gate AS (SELECT 1 FROM keyv WHERE key = $1 AND value = $2 FOR SHARE)
INSERT INTO keyv (key, value) SELECT $3::text, $4::text FROM gate
ON CONFLICT (key) DO UPDATE SET value = excluded.value RETURNING key`;

const PG_CLAIM = `WITH claimed AS (
  INSERT INTO keyv (key, value) VALUES ($1, $3)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE keyv.value = $2
  RETURNING key
)
INSERT INTO keyv (key, value) SELECT $4::text, $5::text FROM claimed
ON CONFLICT (key) DO UPDATE SET value = excluded.value RETURNING key`;

async function openPostgres(url: string, logger: Logger, namespace: string): Promise<Store> {
	// application_name per process shows up in pg_stat_activity (for operators, and the connection-drop test).
	const adapter = new KeyvPostgres({ uri: url, max: 10, application_name: `parley-${process.pid}` });
	const keyv = withErrorLog(new Keyv({ store: adapter, namespace, throwOnErrors: true }), logger);
	// Fail at startup, not at the first vote, when the server is unreachable.
	await keyv.get('startup-check');
	const full = (key: string) => `${namespace}:${key}`;
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
			return entriesOf(rows, namespace);
		},
		scanPrefix(prefix, pageSize) {
			const like = `${`${namespace}:${prefix}`.replace(/[\\%_]/g, '\\$&')}%`;
			return keysetPages(
				async (after) =>
					(await adapter.query('SELECT key, value FROM keyv WHERE key LIKE $1 AND key > $2 ORDER BY key LIMIT $3', [
						like,
						after ?? '',
						pageSize,
					])) as KeyvRow[],
				namespace,
				pageSize,
			);
		},

		async claim(claimKey, claimValue, write) {
			const rows = (await adapter.query(PG_CLAIM, [
				full(claimKey),
				PG_UNCLAIMED,
				await serialized(keyv, claimValue),
				full(write.key),
				await serialized(keyv, write.value),
			])) as unknown[];
			return rows.length > 0;
		},
		async setUnlessClaimed(claimKey, write) {
			const value = await serialized(keyv, write.value);
			const params = [full(claimKey), PG_UNCLAIMED, full(write.key), value];
			for (let attempt = 0; attempt < 3; attempt += 1) {
				if (((await adapter.query(PG_SET_UNLESS_CLAIMED, params)) as unknown[]).length > 0) return true;
				// Nothing written: the key is claimed, or its marker did not exist yet (the first write under it).
				await adapter.query('INSERT INTO keyv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
					full(claimKey),
					PG_UNCLAIMED,
				]);
				const rows = (await adapter.query('SELECT value FROM keyv WHERE key = $1', [full(claimKey)])) as {
					value: string;
				}[];
				if (rows[0]?.value !== PG_UNCLAIMED) return false;
			}
			throw new Error(`could not write ${write.key}: its claim marker ${claimKey} kept changing`);
		},
		assertWritable: async () => {},
		async putIfAbsent(key, value) {
			const fullKey = `${namespace}:${key}`;
			await adapter.query('INSERT INTO keyv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
				fullKey,
				storedText(value),
			]);
			const rows = (await adapter.query('SELECT value FROM keyv WHERE key = $1', [fullKey])) as { value: string }[];
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
