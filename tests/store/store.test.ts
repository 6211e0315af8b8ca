import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OffsetClock } from '../../src/clock.js';
import type { PollMessage } from '../../src/discord/views/poll.js';
import { loadLibrary } from '../../src/library.js';
import { createLogger } from '../../src/logger.js';
import { PollService } from '../../src/polls/service.js';
import type { ChartRenderer } from '../../src/render/chart-pool.js';
import { openStore, type Store } from '../../src/store/keyv.js';
import { createPollStore } from '../../src/store/polls.js';
import { CorruptRecordError, createRepository } from '../../src/store/repository.js';
import { VoteKey } from '../../src/store/vote-key.js';
import { createServerWeightsStore } from '../../src/store/weights.js';
import { BACKENDS, freshNamespace } from '../support/backends.js';
import { storedPoll } from '../support/poll-record.js';

const logger = createLogger({ level: 'silent', secrets: [] });
const library = loadLibrary();
const voteKey = new VoteKey(VoteKey.generateSecret(), { kind: 'memory' });
/** The service's charts come from a worker pool in the bot; these tests only need bytes to attach. */
const charts: ChartRenderer = {
	pollChart: async () => Buffer.from('chart'),
	timeline: async () => Buffer.from('timeline'),
	close: async () => {},
};

const poll = storedPoll;

/** A Discord that only records what the poll service asks of it. */
function recordingPort() {
	const edits: { messageId: string; message: PollMessage; files: number }[] = [];
	return {
		edits,
		port: {
			post: async () => '1440000000000000009',
			edit: async (_channelId: string, messageId: string, message: PollMessage, files?: readonly unknown[]) => {
				edits.push({ messageId, message, files: files?.length ?? 0 });
			},
			memberCount: () => 100,
		},
	};
}

for (const backend of BACKENDS) {
	const sqlitePath = join(tmpdir(), `parley-store-${backend.name}-${process.pid}.sqlite`);
	const url = backend.url(sqlitePath);
	describe.skipIf(url === null)(`store on ${backend.name}`, () => {
		let store: Store;
		beforeAll(async () => {
			store = await openStore(url ?? '', logger, { namespace: freshNamespace() });
		});
		afterAll(async () => {
			await store.keyv.clear();
			await store.close();
			for (const suffix of ['', '-wal', '-shm']) rmSync(`${sqlitePath}${suffix}`, { force: true });
		});

		it('round-trips validated records and refuses corrupt ones', async () => {
			const things = createRepository(store.keyv, 'thing', z.object({ name: z.string(), count: z.number() }));
			await things.set('a', { name: 'alpha', count: 1 });
			expect(await things.get('a')).toEqual({ name: 'alpha', count: 1 });
			expect(await things.get('missing')).toBeUndefined();
			expect(await things.getMany(['a', 'missing'])).toEqual([{ name: 'alpha', count: 1 }, undefined]);
			await store.keyv.set('thing:bad', { name: 42 });
			await expect(things.get('bad')).rejects.toThrow(CorruptRecordError);
			expect(await things.delete('a')).toBe(true);
		});

		it('keeps 1,000 concurrent votes on one poll, one key each', async () => {
			const polls = createPollStore(store, voteKey);
			await Promise.all(
				Array.from({ length: 1_000 }, (_, index) =>
					polls.putVote('burst', `u${index}`, { schemaVersion: 1, choice: index % 3, at: index }),
				),
			);
			const votes = await polls.listVotes('burst');
			expect(votes.size).toBe(1_000);
			expect([...votes.values()].filter((vote) => vote.choice === 0)).toHaveLength(334);
		});

		it('lists only the asked poll’s votes (no prefix bleed between p1 and p10)', async () => {
			const polls = createPollStore(store, voteKey);
			await polls.putVote('p1', 'alice', { schemaVersion: 1, choice: 1, at: 1 });
			await polls.putVote('p10', 'bob', { schemaVersion: 1, choice: 0, at: 1 });
			await polls.putVote('P1', 'carol', { schemaVersion: 1, choice: 0, at: 1 });
			expect([...(await polls.listVotes('p1')).keys()]).toEqual(['alice']);
		});

		it('a changed vote overwrites the member’s one key', async () => {
			const polls = createPollStore(store, voteKey);
			await polls.putVote('change', 'dave', { schemaVersion: 1, choice: 0, at: 1 });
			await polls.putVote('change', 'dave', { schemaVersion: 1, choice: 2, at: 2 });
			expect(await polls.listVotes('change')).toEqual(new Map([['dave', { schemaVersion: 1, choice: 2, at: 2 }]]));
		});

		it('keeps every entry of the open-poll index under concurrent writers', async () => {
			const polls = createPollStore(store, voteKey);
			const guild = '1440000000000000777';
			await Promise.all(
				Array.from({ length: 100 }, (_, index) =>
					polls.addOpenPoll({ id: `open${index}`, guildId: guild, deadline: index }),
				),
			);
			expect(await polls.openPolls([guild])).toHaveLength(100);
			await Promise.all(Array.from({ length: 50 }, (_, index) => polls.removeOpenPoll(guild, `open${index * 2}`)));
			const left = await polls.openPolls([guild, '1440000000000000778']);
			expect(left.map((entry) => entry.id).sort()).toEqual(
				Array.from({ length: 50 }, (_, index) => `open${index * 2 + 1}`).sort(),
			);
		});

		it('stores a server’s weights and resets them', async () => {
			const weights = createServerWeightsStore(store);
			expect(await weights.change('1440000000000000888', 'food-aid', { valueToReceiver: 6 }, 'mod', 1)).toEqual({
				valueToReceiver: 6,
			});
			expect(await weights.change('1440000000000000888', 'food-aid', { costToGiver: 2 }, 'mod', 2)).toEqual({
				costToGiver: 2,
				valueToReceiver: 6,
			});
			await weights.change('1440000000000000888', 'yongbyon-freeze', { costToGiver: 9 }, 'mod', 3);
			// Another server with a longer id that starts the same way is not this one.
			await weights.change('14400000000000008881', 'disablement', { costToGiver: 1 }, 'mod', 3);
			expect(await weights.get('1440000000000000888')).toEqual({
				'food-aid': { costToGiver: 2, valueToReceiver: 6 },
				'yongbyon-freeze': { costToGiver: 9 },
			});
			await weights.resetOne('1440000000000000888', 'food-aid', 'mod', 4);
			expect(await weights.get('1440000000000000888')).toEqual({ 'yongbyon-freeze': { costToGiver: 9 } });
			await weights.resetAll('1440000000000000888');
			expect(await weights.get('1440000000000000888')).toEqual({});
			expect(await weights.get('14400000000000008881')).toEqual({ disablement: { costToGiver: 1 } });
		});

		it('keeps reading weights stored in the old one-record-per-server layout (schema version 1)', async () => {
			const guild = '1440000000000000887';
			// Exactly what earlier versions wrote under guild-weights:<guildId>.
			await store.keyv.set(`guild-weights:${guild}`, {
				schemaVersion: 1,
				overrides: { 'food-aid': { valueToReceiver: 6 }, disablement: { costToGiver: 1, valueToReceiver: 2 } },
				updatedBy: '1440000000000000004',
				updatedAt: 1,
			});
			const weights = createServerWeightsStore(store);
			expect(await weights.get(guild)).toEqual({
				'food-aid': { valueToReceiver: 6 },
				disablement: { costToGiver: 1, valueToReceiver: 2 },
			});
			// A change builds on the old entry; a reset of an old entry sticks; other old entries stay.
			expect(await weights.change(guild, 'food-aid', { costToGiver: 3 }, 'mod', 2)).toEqual({
				costToGiver: 3,
				valueToReceiver: 6,
			});
			await weights.resetOne(guild, 'disablement', 'mod', 3);
			expect(await weights.get(guild)).toEqual({ 'food-aid': { costToGiver: 3, valueToReceiver: 6 } });
			await weights.resetAll(guild);
			expect(await weights.get(guild)).toEqual({});
			expect(await store.keyv.get(`guild-weights:${guild}`)).toBeUndefined();
		});

		it('keeps every concurrent change to a server’s weights', async () => {
			const weights = createServerWeightsStore(store);
			const guild = '1440000000000000886';
			const ids = library.catalog.concessions.slice(0, 20).map((item) => item.id);
			await Promise.all(
				ids.flatMap((id, index) => [
					weights.change(guild, id, { costToGiver: index % 11 }, `mod${index}`, index),
					weights.change(guild, id, { valueToReceiver: 10 - (index % 11) }, `other${index}`, index),
				]),
			);
			expect(await weights.get(guild)).toEqual(
				Object.fromEntries(
					ids.map((id, index) => [id, { costToGiver: index % 11, valueToReceiver: 10 - (index % 11) }]),
				),
			);
		});

		it('closes a poll exactly once even when asked twice at the same time, with the tally from the vote keys', async () => {
			const polls = createPollStore(store, voteKey);
			const record = poll('closeonce', { guildId: '1440000000000000999' });
			await polls.savePoll(record);
			await polls.addOpenPoll({ id: record.id, guildId: record.guildId, deadline: record.deadline });
			for (const [user, choice] of [
				['a', 0],
				['b', 1],
				['c', 1],
			] as const)
				await polls.putVote(record.id, user, { schemaVersion: 1, choice, at: 1 });
			const clock = new OffsetClock();
			const { port, edits } = recordingPort();
			const service = new PollService({
				store: polls,
				clock,
				logger,
				port,
				library,
				charts,
				ownedGuildIds: () => [record.guildId],
			});
			const outcomes = await Promise.all([service.close(record.id, 'deadline'), service.close(record.id, 'deadline')]);
			expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['already-closed', 'closed']);
			const stored = await polls.getPoll(record.id);
			expect(stored?.status).toBe('closed');
			expect(stored?.finalCounts).toEqual([1, 2, 0]);
			expect(edits).toHaveLength(1);
			expect(edits[0]?.files).toBe(1);
			expect(await polls.openPolls([record.guildId])).toEqual([]);
			await service.stop();
		});

		it('finishes a close that was interrupted (status closing) when the service starts', async () => {
			const polls = createPollStore(store, voteKey);
			const record = poll('interrupted', {
				guildId: '1440000000000000555',
				deadline: Date.now() + 86_400_000,
				status: 'closing',
				closedAt: 5,
				closedBy: 'moderator',
				closedByUserId: '1440000000000000004',
			});
			await polls.savePoll(record);
			await polls.addOpenPoll({ id: record.id, guildId: record.guildId, deadline: record.deadline });
			await polls.putVote(record.id, 'x', { schemaVersion: 1, choice: 2, at: 1 });
			const { port, edits } = recordingPort();
			const service = new PollService({
				store: polls,
				clock: new OffsetClock(),
				logger,
				port,
				library,
				charts,
				ownedGuildIds: () => [record.guildId],
			});
			await service.start();
			await expect.poll(async () => (await polls.getPoll(record.id))?.status, { timeout: 5_000 }).toBe('closed');
			expect((await polls.getPoll(record.id))?.finalCounts).toEqual([0, 0, 1]);
			expect(edits).toHaveLength(1);
			await service.stop();
		});

		it('a new owner picks up a poll the old owner started while both ran (rolling restart) and closes it', async () => {
			const guildId = '1440000000000000556';
			const service = (clock: OffsetClock) =>
				new PollService({
					store: createPollStore(store, voteKey),
					charts,
					clock,
					logger,
					port: recordingPort().port,
					library,
					ownedGuildIds: () => [guildId],
					sweepIntervalMs: 25,
				});
			const newClock = new OffsetClock();
			const [old, next] = [service(new OffsetClock()), service(newClock)];
			await old.start();
			await next.start();
			const started = await old.create({
				id: 'overlap1',
				guildId,
				channelId: '1440000000000000002',
				starterId: '1440000000000000004',
				question: 'Started by the old owner',
				style: 'yes-no',
				choices: ['Yes', 'No'],
				deadline: Date.now() + 3_600_000,
				anonymous: false,
				hideResults: false,
				voterRoleId: null,
				dealId: null,
			});
			await old.stop();
			newClock.advance(2 * 3_600_000);
			const polls = createPollStore(store, voteKey);
			await expect.poll(async () => (await polls.getPoll(started.id))?.status, { timeout: 5_000 }).toBe('closed');
			await next.stop();
		});
	});
}
