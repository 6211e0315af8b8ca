/**
 * A poll owner in a process of its own: Parley's PollService on a real store (argv: STORE_URL, namespace, guild id),
 * with a recording Discord, driven over IPC by a test. Two of these on one Redis or PostgreSQL store are two owners
 * overlapping during a rolling deploy: both believe they own the server, both take votes, both may close.
 *
 * Run with: node --import tsx tests/support/poll-owner.ts <storeUrl> <namespace> <guildId>  (forked, with IPC)
 */
import { SystemClock } from '../../src/clock.js';
import { loadLibrary } from '../../src/library.js';
import { createLogger } from '../../src/logger.js';
import { type NewPoll, PollService } from '../../src/polls/service.js';
import { openStore } from '../../src/store/keyv.js';
import { createPollStore } from '../../src/store/polls.js';
import { openVoteKey } from '../../src/store/vote-key.js';
import { testCharts } from './vote-key.js';

export type OwnerRequest =
	| { readonly id: number; readonly op: 'create'; readonly poll: NewPoll }
	| { readonly id: number; readonly op: 'adopt' }
	| {
			readonly id: number;
			readonly op: 'vote';
			readonly pollId: string;
			readonly userId: string;
			readonly choice: number;
	  }
	| { readonly id: number; readonly op: 'close'; readonly pollId: string; readonly userId: string }
	| { readonly id: number; readonly op: 'stop' };

export type OwnerMessage =
	| { readonly id: number; readonly result: unknown }
	| { readonly id: number; readonly error: string }
	| { readonly event: 'ready' }
	/** A card edit; `final` when it carries the result chart (the poll was closed by this process). */
	| { readonly event: 'edit'; readonly messageId: string; readonly final: boolean };

async function main(): Promise<void> {
	const [storeUrl = '', namespace = '', guildId = ''] = process.argv.slice(2);
	const send = (message: OwnerMessage) => process.send?.(message);
	const logger = createLogger({ level: 'warn', secrets: [] });
	const store = await openStore(storeUrl, logger, { namespace, owner: true });
	let messages = 0;
	const service = new PollService({
		store: createPollStore(store, await openVoteKey(store, {}, logger)),
		charts: testCharts,
		clock: new SystemClock(),
		logger,
		library: loadLibrary(),
		ownedGuildIds: () => [guildId],
		port: {
			post: async () => {
				messages += 1;
				return `${1_450_000_000_000_000_000n + BigInt(process.pid) * 1000n + BigInt(messages)}`;
			},
			edit: async (_channelId, messageId, _message, files) => {
				send({ event: 'edit', messageId, final: (files?.length ?? 0) > 0 });
			},
			memberCount: () => 1_000,
		},
	});
	await service.start();

	const handle = async (request: OwnerRequest): Promise<unknown> => {
		switch (request.op) {
			case 'create':
				return (await service.create(request.poll)).id;
			case 'adopt':
				return service.adopt([guildId]);
			case 'vote':
				return (
					await service.vote({
						pollId: request.pollId,
						guildId,
						channelId: (await service.getPoll(request.pollId))?.channelId ?? '',
						userId: request.userId,
						roleIds: [],
						choice: request.choice,
					})
				).kind;
			case 'close':
				return (await service.close(request.pollId, { userId: request.userId, isModerator: true })).kind;
			case 'stop':
				await service.stop();
				await store.close();
				return null;
		}
	};
	process.on('message', (request: OwnerRequest) => {
		void handle(request).then(
			(result) => {
				send({ id: request.id, result });
				if (request.op === 'stop') process.disconnect();
			},
			(error: unknown) => send({ id: request.id, error: String(error) }),
		);
	});
	send({ event: 'ready' });
}

await main();
