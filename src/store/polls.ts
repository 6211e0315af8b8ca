import { z } from 'zod';
import { PollId, PollRecord, Snowflake, VoteRecord } from '../domain/poll.js';
import type { Store } from './keyv.js';
import { KeyedLock } from './lock.js';
import { CorruptRecordError, createRepository } from './repository.js';

/**
 * Poll storage, laid out so that no vote can be lost to a concurrent write (keyv-notes §2b):
 *   poll:<pollId>              the poll record (written by the owning process only)
 *   vote:<pollId>:<userId>     one key per member's vote: the source of truth for every tally
 *   open-polls                 index of open polls, so startup never scans the store
 *   guild-polls:<guildId>      the server's recent polls, for /poll list and autocomplete
 * The two indexes are derived: changed only under an in-process lock, and repairable from the poll records.
 */

export const OpenPollEntry = z.object({ id: PollId, guildId: Snowflake, deadline: z.number().int() });
export type OpenPollEntry = z.infer<typeof OpenPollEntry>;
const OpenPollIndex = z.object({ schemaVersion: z.literal(1), polls: z.array(OpenPollEntry) });

export const GuildPollEntry = z.object({
	id: PollId,
	question: z.string(),
	status: z.enum(['open', 'closing', 'closed']),
	createdAt: z.number().int(),
	deadline: z.number().int(),
});
export type GuildPollEntry = z.infer<typeof GuildPollEntry>;
const GuildPollIndex = z.object({ schemaVersion: z.literal(1), polls: z.array(GuildPollEntry) });

/** How many recent polls a server's index keeps for autocomplete (open polls are never dropped). */
const GUILD_INDEX_LIMIT = 200;

export interface PollStore {
	getPoll(id: string): Promise<PollRecord | undefined>;
	savePoll(poll: PollRecord): Promise<void>;
	putVote(pollId: string, userId: string, vote: VoteRecord): Promise<void>;
	/** Every stored vote of a poll, by user id (read from the vote keys, the source of truth). */
	listVotes(pollId: string): Promise<Map<string, VoteRecord>>;
	openPolls(): Promise<OpenPollEntry[]>;
	addOpenPoll(entry: OpenPollEntry): Promise<void>;
	removeOpenPoll(id: string): Promise<void>;
	guildPolls(guildId: string): Promise<GuildPollEntry[]>;
	upsertGuildPoll(guildId: string, entry: GuildPollEntry): Promise<void>;
}

export function createPollStore(store: Store): PollStore {
	const polls = createRepository(store.keyv, 'poll', PollRecord);
	const votes = createRepository(store.keyv, 'vote', VoteRecord);
	const indexes = createRepository(store.keyv, 'open-polls', OpenPollIndex);
	const guildIndexes = createRepository(store.keyv, 'guild-polls', GuildPollIndex);
	const lock = new KeyedLock();

	const readOpen = async () => (await indexes.get('all'))?.polls ?? [];
	const readGuild = async (guildId: string) => (await guildIndexes.get(guildId))?.polls ?? [];

	return {
		getPoll: (id) => polls.get(id),
		savePoll: (poll) => polls.set(poll.id, poll),
		putVote: (pollId, userId, vote) => votes.set(`${pollId}:${userId}`, vote),
		async listVotes(pollId) {
			const prefix = `vote:${pollId}:`;
			const result = new Map<string, VoteRecord>();
			for (const entry of await store.listByPrefix(prefix)) {
				const parsed = VoteRecord.safeParse(entry.value);
				if (!parsed.success) throw new CorruptRecordError(`stored vote ${entry.key} does not match its schema`);
				result.set(entry.key.slice(prefix.length), parsed.data);
			}
			return result;
		},
		openPolls: readOpen,
		addOpenPoll: (entry) =>
			lock.run('open-polls', async () => {
				const current = (await readOpen()).filter((item) => item.id !== entry.id);
				await indexes.set('all', { schemaVersion: 1, polls: [...current, entry] });
			}),
		removeOpenPoll: (id) =>
			lock.run('open-polls', async () => {
				const current = await readOpen();
				if (!current.some((item) => item.id === id)) return;
				await indexes.set('all', { schemaVersion: 1, polls: current.filter((item) => item.id !== id) });
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
