import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { Store } from './keyv.js';

/** Shortest secret accepted (from VOTE_KEY_SECRET, the key file or the store): 32 characters. */
export const VOTE_KEY_MIN_LENGTH = 32;

/** Where the secret came from; error messages and the startup log tell the operator which one to keep safe. */
export type VoteKeySource =
	| { readonly kind: 'configuration' }
	| { readonly kind: 'file'; readonly path: string }
	| { readonly kind: 'store' }
	| { readonly kind: 'memory' };

export class VoteKeyError extends Error {
	override readonly name = 'VoteKeyError';
}

const Secret = z.string().trim().min(VOTE_KEY_MIN_LENGTH);
const SecretRecord = z.object({ schemaVersion: z.literal(1), secret: Secret });
const CheckRecord = z.object({ schemaVersion: z.literal(1), fingerprint: z.string().regex(/^[0-9a-f]{64}$/) });

/** Keys in the store (outside every repository's prefix). */
const SECRET_KEY = 'vote-key:secret';
const CHECK_KEY = 'vote-key:check';

/**
 * The secret that turns a member id into the key of their vote on an anonymous poll: HMAC-SHA256 over the poll id
 * and the member id. Without the secret a stored key cannot be traced back to a member (member ids are easy to
 * list, so a plain hash could be reversed by trying them all); with the poll id in the input, one member's votes on
 * different polls cannot be linked to each other either. The same member always gets the same key on a poll, so a
 * vote can still be changed.
 */
export class VoteKey {
	readonly #secret: Buffer;

	constructor(
		secret: string,
		readonly source: VoteKeySource,
	) {
		const parsed = Secret.safeParse(secret);
		if (!parsed.success)
			throw new VoteKeyError(
				`The vote key from ${describeSource(source)} is shorter than ${VOTE_KEY_MIN_LENGTH} characters.`,
			);
		this.#secret = Buffer.from(parsed.data, 'utf8');
	}

	/** 32 random bytes as 64 hex characters: the secret Parley generates when none is configured. */
	static generateSecret(): string {
		return randomBytes(32).toString('hex');
	}

	/** The key a member's vote on this poll is stored under: 64 hex characters, never the member id. */
	voterKey(pollId: string, userId: string): string {
		return createHmac('sha256', this.#secret).update(`vote\u0000${pollId}\u0000${userId}`).digest('hex');
	}

	/** Derived from the secret but revealing nothing about it; stored, so a replaced or lost secret is noticed. */
	fingerprint(): string {
		return createHmac('sha256', this.#secret).update('parley vote key check').digest('hex');
	}
}

function describeSource(source: VoteKeySource): string {
	switch (source.kind) {
		case 'configuration':
			return 'VOTE_KEY_SECRET';
		case 'file':
			return `the file ${source.path}`;
		case 'store':
			return `the store key ${SECRET_KEY}`;
		case 'memory':
			return 'memory';
	}
}

/**
 * The key file next to a SQLite database: created on first start (readable by the bot's user only), then reused.
 * Never created again for a store that already recorded votes with a key: that one must be restored instead.
 */
function fromFile(path: string, storeHasKey: boolean): VoteKey {
	const source = { kind: 'file', path } as const;
	const read = () => new VoteKey(readFileSync(path, 'utf8'), source);
	try {
		return read();
	} catch (error) {
		if (!isCode(error, 'ENOENT')) throw error;
	}
	if (storeHasKey)
		throw new VoteKeyError(
			`The vote key file ${path} is missing, but this store's anonymous votes were recorded with it. Restore it from a backup of the database folder (or set VOTE_KEY_SECRET to its contents), so that members who already voted in an open anonymous poll are recognised and cannot vote twice.`,
		);
	try {
		writeFileSync(path, `${VoteKey.generateSecret()}\n`, { flag: 'wx', mode: 0o600 });
	} catch (error) {
		// Another process created it first: use theirs.
		if (!isCode(error, 'EEXIST')) throw error;
	}
	return read();
}

function isCode(error: unknown, code: string): boolean {
	return error instanceof Error && 'code' in error && error.code === code;
}

export interface VoteKeyOptions {
	/** VOTE_KEY_SECRET, when the operator configured one. */
	readonly secret?: string | undefined;
}

/**
 * The vote key for this store, from (in order) configuration, a key file next to a SQLite database, or the store
 * itself (Redis and PostgreSQL without VOTE_KEY_SECRET: created atomically, so every shard process uses the same
 * one). A fingerprint kept in the store makes a replaced or lost key stop the bot at startup: with a different key
 * a member who already voted in an open anonymous poll would not be recognised, and could vote twice.
 */
export async function openVoteKey(store: Store, options: VoteKeyOptions, logger: Logger): Promise<VoteKey> {
	let key: VoteKey;
	if (options.secret !== undefined) key = new VoteKey(options.secret, { kind: 'configuration' });
	else if (store.backend === 'sqlite')
		key =
			store.location === ':memory:'
				? new VoteKey(VoteKey.generateSecret(), { kind: 'memory' })
				: fromFile(`${store.location}.vote-key`, (await store.keyv.get(CHECK_KEY)) !== undefined);
	else {
		const stored = SecretRecord.safeParse(
			await store.putIfAbsent(SECRET_KEY, { schemaVersion: 1, secret: VoteKey.generateSecret() }),
		);
		if (!stored.success) throw new VoteKeyError(`The store key ${SECRET_KEY} is damaged; it must hold the vote key.`);
		key = new VoteKey(stored.data.secret, { kind: 'store' });
		logger.warn(
			'anonymous votes are keyed with a secret kept in this same database, so a dump of it together with the member list could be matched to members; set VOTE_KEY_SECRET (the same on every machine) to keep it elsewhere',
		);
	}
	const check = CheckRecord.safeParse(
		await store.putIfAbsent(CHECK_KEY, { schemaVersion: 1, fingerprint: key.fingerprint() }),
	);
	if (!check.success) throw new VoteKeyError(`The store key ${CHECK_KEY} is damaged.`);
	const expected = Buffer.from(check.data.fingerprint, 'hex');
	if (!timingSafeEqual(expected, Buffer.from(key.fingerprint(), 'hex'))) {
		throw new VoteKeyError(
			[
				`The vote key from ${describeSource(key.source)} is not the one this store's anonymous votes were recorded with.`,
				'Restore the previous key (the VOTE_KEY_SECRET you used before, or the .vote-key file next to the SQLite database),',
				'so that members who already voted in an open anonymous poll are recognised and cannot vote twice.',
			].join(' '),
		);
	}
	logger.info({ voteKey: key.source.kind }, 'anonymous votes are stored under a keyed hash of the member id');
	return key;
}
