import { hostname } from 'node:os';
import { z } from 'zod';
import {
	needsVoteKeyMigration,
	POLL_SCHEMA_VERSION,
	PollId,
	PollRecord,
	Snowflake,
	VoteRecord,
	votesKeyedByHash,
} from '../domain/poll.js';
import type { Store } from './keyv.js';
import { KeyedLock } from './lock.js';
import { CorruptRecordError, createRepository } from './repository.js';
import type { VoteKey } from './vote-key.js';

/**
 * Poll storage, laid out so that no vote can be lost to a concurrent write (keyv-notes §2b):
 *   poll:<pollId>              the poll record (written by the owning process only)
 *   vote:<pollId>:<voter>      one key per member's vote: the source of truth for every tally. <voter> is the member
 *                              id, or for an anonymous poll a keyed hash of it (`VoteKey`), so no dump names a voter
 *   migration:anonymous-votes  set once the votes of anonymous polls closed before hashing have been re-keyed
 *   open-polls:<guildId>       the server's open polls, so startup never scans the store (one key per server:
 *                              each server has exactly one owning process, so no two processes write one key)
 *   guild-polls:<guildId>      the server's recent polls, for /poll list and autocomplete
 *   close-claim:<pollId>       who decided to close the poll, and when; written once (atomically, see Store.claim)
 *                              together with the `closing` record, and never again. Once it exists no vote is
 *                              stored, even by another process that still believes the poll is open (two owners
 *                              overlap during a rolling deploy).
 * The two indexes are derived: changed only under an in-process lock, and repairable from the poll records.
 */

export const OpenPollEntry = z.object({ id: PollId, guildId: Snowflake, deadline: z.number().int() });
export type OpenPollEntry = z.infer<typeof OpenPollEntry>;
const OpenPollIndex = z.object({ schemaVersion: z.literal(1), polls: z.array(OpenPollEntry) });

export const GuildPollEntry = z.object({
	id: PollId,
	/** Where the poll lives, so autocomplete can offer only polls the member can see (absent in older entries). */
	channelId: Snowflake.optional(),
	question: z.string(),
	status: z.enum(['open', 'closing', 'closed']),
	createdAt: z.number().int(),
	deadline: z.number().int(),
});
export type GuildPollEntry = z.infer<typeof GuildPollEntry>;
const GuildPollIndex = z.object({ schemaVersion: z.literal(1), polls: z.array(GuildPollEntry) });

/** How many recent polls a server's index keeps for autocomplete (open polls are never dropped). */
const GUILD_INDEX_LIMIT = 200;

/** Recorded in the close claim, for whoever wonders later which process closed a poll. */
export const CloseClaim = z.object({
	schemaVersion: z.literal(1),
	at: z.number().int(),
	pid: z.number().int(),
	host: z.string(),
	/** Wall-clock time of the claim (ms), for the lease another owner waits out before finishing the close. */
	claimedAtMs: z.number().int().optional(),
});
export type CloseClaim = z.infer<typeof CloseClaim>;

export interface PollStore {
	getPoll(id: string): Promise<PollRecord | undefined>;
	/** Several poll records at once (read in batches), in the order asked; undefined where there is none. */
	getPolls(ids: readonly string[]): Promise<(PollRecord | undefined)[]>;
	savePoll(poll: PollRecord): Promise<void>;
	/**
	 * What a member's vote on this poll is stored under: a keyed hash of the member id for anonymous polls (schema 2),
	 * the member id otherwise. The same member always gets the same voter key on a poll.
	 */
	voterKey(poll: PollRecord, userId: string): string;
	/** Stores a vote under its voter key, unless the poll's close has been claimed (by any process): then nothing is written. */
	putVote(pollId: string, voter: string, vote: VoteRecord): Promise<'recorded' | 'closed'>;
	/**
	 * Takes the poll's close claim and stores its `closing` record in one atomic step. False when the close was
	 * already claimed (by this or another process): then nothing was written, and the claimer finishes the close.
	 */
	claimClose(closing: PollRecord): Promise<boolean>;
	/** Who claimed a poll's close, if the claim can be read (undefined for none, or an unreadable one). */
	closeClaim(pollId: string): Promise<CloseClaim | undefined>;
	/** Rejects (StoreUnavailableError) when the store can no longer keep what is written to it. */
	assertWritable(): Promise<void>;
	/** Every stored vote of a poll, by voter key (read from the vote keys, the source of truth). */
	listVotes(pollId: string): Promise<Map<string, VoteRecord>>;
	/**
	 * The same votes a page at a time (about `pageSize` each), read only as the caller asks for the next page, so a
	 * caller that needs a few voters stops early. A member may appear twice on Redis (SCAN can repeat an entry).
	 */
	votePages(pollId: string, pageSize: number): AsyncIterable<[userId: string, vote: VoteRecord][]>;
	/**
	 * An anonymous poll stored before votes were hashed (schema 1): its votes are re-keyed under the hash and the
	 * record is saved as schema 2, which is returned. Other polls come back unchanged. Safe to repeat after a crash.
	 * Call it only where no vote on the poll can be recorded meanwhile (the owning process, before loading votes).
	 */
	migrateAnonymousVotes(poll: PollRecord): Promise<PollRecord>;
	/**
	 * Once per store: re-keys the votes of every closed schema-1 anonymous poll (closed polls take no votes, so any
	 * process may). Returns how many polls it re-keyed; 0 once done.
	 */
	migrateClosedAnonymousPolls(now: number): Promise<number>;
	/** Open polls of these servers (read in batches, for startup). */
	openPolls(guildIds: readonly string[]): Promise<OpenPollEntry[]>;
	addOpenPoll(entry: OpenPollEntry): Promise<void>;
	/** Resolves to whether the entry was there. */
	removeOpenPoll(guildId: string, id: string): Promise<boolean>;
	guildPolls(guildId: string): Promise<GuildPollEntry[]>;
	upsertGuildPoll(guildId: string, entry: GuildPollEntry): Promise<void>;
}

function parseVote(entry: { key: string; value: unknown }): VoteRecord {
	const parsed = VoteRecord.safeParse(entry.value);
	if (!parsed.success) throw new CorruptRecordError(`stored vote ${entry.key} does not match its schema`);
	return parsed.data;
}

const MigrationRecord = z.object({ schemaVersion: z.literal(1), doneAt: z.number().int() });

export function createPollStore(store: Store, voteKey: VoteKey): PollStore {
	const polls = createRepository(store.keyv, 'poll', PollRecord);
	const votes = createRepository(store.keyv, 'vote', VoteRecord);
	const indexes = createRepository(store.keyv, 'open-polls', OpenPollIndex);
	const guildIndexes = createRepository(store.keyv, 'guild-polls', GuildPollIndex);
	const migrations = createRepository(store.keyv, 'migration', MigrationRecord);
	const lock = new KeyedLock();

	const readOpen = async (guildId: string) => (await indexes.get(guildId))?.polls ?? [];
	const readGuild = async (guildId: string) => (await guildIndexes.get(guildId))?.polls ?? [];

	async function listVotes(pollId: string): Promise<Map<string, VoteRecord>> {
		const prefix = `vote:${pollId}:`;
		const result = new Map<string, VoteRecord>();
		for (const entry of await store.listByPrefix(prefix)) {
			const parsed = VoteRecord.safeParse(entry.value);
			if (!parsed.success) throw new CorruptRecordError(`stored vote ${entry.key} does not match its schema`);
			result.set(entry.key.slice(prefix.length), parsed.data);
		}
		return result;
	}

	async function migrateAnonymousVotes(poll: PollRecord): Promise<PollRecord> {
		if (!needsVoteKeyMigration(poll)) return poll;
		const upgraded: PollRecord = { ...poll, schemaVersion: POLL_SCHEMA_VERSION };
		for (const [voter, vote] of await listVotes(poll.id)) {
			// A hashed key (64 hex characters) was re-keyed by an earlier run that was interrupted.
			if (!Snowflake.safeParse(voter).success) continue;
			// Written before the member id's key goes: a crash in between leaves both until the rerun, never neither.
			await votes.set(`${poll.id}:${voteKey.voterKey(poll.id, voter)}`, vote);
			await votes.delete(`${poll.id}:${voter}`);
		}
		await polls.set(poll.id, upgraded);
		return upgraded;
	}

	return {
		getPoll: (id) => polls.get(id),
		async getPolls(ids) {
			const result: (PollRecord | undefined)[] = [];
			for (let start = 0; start < ids.length; start += 500)
				result.push(...(await polls.getMany(ids.slice(start, start + 500))));
			return result;
		},
		savePoll: (poll) => polls.set(poll.id, poll),
		voterKey: (poll, userId) => (votesKeyedByHash(poll) ? voteKey.voterKey(poll.id, userId) : userId),
		async putVote(pollId, voter, vote) {
			const write = { key: `${votes.prefix}:${pollId}:${voter}`, value: VoteRecord.parse(vote) };
			return (await store.setUnlessClaimed(`close-claim:${pollId}`, write)) ? 'recorded' : 'closed';
		},
		assertWritable: () => store.assertWritable(),
		async closeClaim(pollId) {
			const parsed = CloseClaim.safeParse(await store.keyv.get(`close-claim:${pollId}`));
			return parsed.success ? parsed.data : undefined;
		},
		claimClose: (closing) =>
			store.claim(
				`close-claim:${closing.id}`,
				CloseClaim.parse({
					schemaVersion: 1,
					at: closing.closedAt ?? 0,
					pid: process.pid,
					host: hostname(),
					claimedAtMs: Date.now(),
				}),
				{ key: `${polls.prefix}:${closing.id}`, value: PollRecord.parse(closing) },
			),
		listVotes,
		migrateAnonymousVotes,
		async migrateClosedAnonymousPolls(now) {
			if (await migrations.get('anonymous-votes')) return 0;
			let migrated = 0;
			for (const entry of await store.listByPrefix('poll:')) {
				// A record that does not parse is reported where it is read; it cannot be re-keyed here.
				const parsed = PollRecord.safeParse(entry.value);
				if (!parsed.success || parsed.data.status !== 'closed' || !needsVoteKeyMigration(parsed.data)) continue;
				await migrateAnonymousVotes(parsed.data);
				migrated += 1;
			}
			await migrations.set('anonymous-votes', { schemaVersion: 1, doneAt: now });
			return migrated;
		},
		async *votePages(pollId, pageSize) {
			const prefix = `vote:${pollId}:`;
			for await (const page of store.scanPrefix(prefix, pageSize))
				yield page.map((entry): [string, VoteRecord] => [entry.key.slice(prefix.length), parseVote(entry)]);
		},
		async openPolls(guildIds) {
			const entries: OpenPollEntry[] = [];
			for (let start = 0; start < guildIds.length; start += 500) {
				const batch = await indexes.getMany(guildIds.slice(start, start + 500));
				for (const index of batch) if (index) entries.push(...index.polls);
			}
			return entries;
		},
		addOpenPoll: (entry) =>
			lock.run(`open-polls:${entry.guildId}`, async () => {
				const current = (await readOpen(entry.guildId)).filter((item) => item.id !== entry.id);
				await indexes.set(entry.guildId, { schemaVersion: 1, polls: [...current, entry] });
			}),
		removeOpenPoll: (guildId, id) =>
			lock.run(`open-polls:${guildId}`, async () => {
				const current = await readOpen(guildId);
				if (!current.some((item) => item.id === id)) return false;
				await indexes.set(guildId, { schemaVersion: 1, polls: current.filter((item) => item.id !== id) });
				return true;
			}),
		guildPolls: readGuild,
		upsertGuildPoll: (guildId, entry) =>
			lock.run(`guild-polls:${guildId}`, async () => {
				const others = (await readGuild(guildId)).filter((item) => item.id !== entry.id);
				const next = [entry, ...others].sort((a, b) => b.createdAt - a.createdAt);
				const open = next.filter((item) => item.status !== 'closed');
				const closed = next
					.filter((item) => item.status === 'closed')
					.slice(0, Math.max(0, GUILD_INDEX_LIMIT - open.length));
				await guildIndexes.set(guildId, {
					schemaVersion: 1,
					polls: [...open, ...closed].sort((a, b) => b.createdAt - a.createdAt),
				});
			}),
	};
}
