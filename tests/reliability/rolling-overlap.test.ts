import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import type { NewPoll } from '../../src/polls/service.js';
import { openStore } from '../../src/store/keyv.js';
import { createPollStore } from '../../src/store/polls.js';
import { freshNamespace } from '../support/backends.js';
import type { OwnerMessage, OwnerRequest } from '../support/poll-owner.js';
import { storeVoteKey } from '../support/vote-key.js';

const OWNER_SCRIPT = fileURLToPath(new URL('../support/poll-owner.ts', import.meta.url));
const GUILD = '1450000000000000001';

type Outcome = string;
type Request = OwnerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** One poll owner process (Parley's PollService on the shared store), driven over IPC. */
class Owner {
	private next = 0;
	private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
	readonly finalEdits: string[] = [];
	private readonly ready: Promise<void>;

	constructor(
		readonly name: string,
		private readonly child: ChildProcess,
	) {
		let output = '';
		child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		this.ready = new Promise((resolve, reject) => {
			child.once('exit', (code) => reject(new Error(`${name} exited (${code}):\n${output.slice(-2000)}`)));
			child.on('message', (message: OwnerMessage) => {
				if ('event' in message) {
					if (message.event === 'ready') resolve();
					if (message.event === 'edit' && message.final) this.finalEdits.push(message.messageId);
					return;
				}
				const waiter = this.pending.get(message.id);
				this.pending.delete(message.id);
				if ('error' in message) waiter?.reject(new Error(`${name}: ${message.error}`));
				else waiter?.resolve(message.result);
			});
		});
	}

	static async start(name: string, storeUrl: string, namespace: string): Promise<Owner> {
		const child = fork(OWNER_SCRIPT, [storeUrl, namespace, GUILD], {
			execArgv: ['--import', 'tsx'],
			stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
		});
		const owner = new Owner(name, child);
		await owner.ready;
		return owner;
	}

	request(request: Request): Promise<unknown> {
		this.next += 1;
		const id = this.next;
		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve, reject });
			this.child.send({ ...request, id });
		});
	}

	vote(pollId: string, userId: string, choice: number): Promise<Outcome> {
		return this.request({ op: 'vote', pollId, userId, choice }) as Promise<Outcome>;
	}

	close(pollId: string): Promise<Outcome> {
		return this.request({ op: 'close', pollId, userId: '1450000000000000099' }) as Promise<Outcome>;
	}

	async stop(): Promise<void> {
		if (this.child.exitCode !== null || !this.child.connected) return;
		await this.request({ op: 'stop' }).catch(() => {});
		await new Promise((resolve) => {
			if (this.child.exitCode !== null) resolve(null);
			else this.child.once('exit', resolve);
		});
	}
}

function newPoll(id: string): NewPoll {
	return {
		id,
		guildId: GUILD,
		channelId: '1450000000000000002',
		starterId: '1450000000000000003',
		question: `Overlap poll ${id}`,
		style: 'yes-no',
		choices: ['Yes', 'No'],
		deadline: Date.now() + 3_600_000,
		anonymous: false,
		hideResults: false,
		voterRoleId: null,
		dealId: null,
	};
}

const BACKENDS = [
	{ name: 'redis', url: process.env.REDIS_URL ?? null },
	{ name: 'postgres', url: process.env.POSTGRES_URL ?? null },
];

/**
 * Two owners of one server on one Redis or PostgreSQL store, as during a rolling deploy: both take votes, both can
 * close. The poll must close once, and no vote may be accepted (receipted) that the close does not count.
 */
for (const backend of BACKENDS) {
	describe.skipIf(backend.url === null)(`two owners overlapping on ${backend.name}`, () => {
		const url = backend.url ?? '';
		const namespace = freshNamespace();
		const owners: Owner[] = [];
		afterAll(async () => {
			await Promise.all(owners.map((owner) => owner.stop()));
		});

		it('a close by one owner stops the votes of the other at once; every receipted vote is counted', async () => {
			const [a, b] = await Promise.all([Owner.start('A', url, namespace), Owner.start('B', url, namespace)]);
			owners.push(a, b);
			for (let round = 0; round < 3; round += 1) {
				const pollId = `overlap${round}${Date.now().toString(36)}`;
				expect(await a.request({ op: 'create', poll: newPoll(pollId) })).toBe(pollId);
				await b.request({ op: 'adopt' });

				// Votes land on both owners (the gateway may hand an interaction to either during the overlap).
				const answers: { userId: string; outcome: Outcome; sentAt: number }[] = [];
				let closedAt = Number.POSITIVE_INFINITY;
				let sent = 0;
				// Members keep voting until the close has returned and some votes came after it (at most 2,000 votes).
				const voter = async (lane: number) => {
					for (let index = lane; index < 2_000; index += 8) {
						if (index >= 400 && answers.filter((answer) => answer.sentAt > closedAt).length >= 24) break;
						const owner = index % 2 === 0 ? a : b;
						const userId = `14500000000001${String(index).padStart(5, '0')}`;
						const sentAt = performance.now();
						sent += 1;
						answers.push({ userId, outcome: await owner.vote(pollId, userId, index % 2), sentAt });
					}
				};
				const closer = (async () => {
					while (sent < 120) await new Promise((resolve) => setTimeout(resolve, 2));
					const outcome = await a.close(pollId);
					closedAt = performance.now();
					return outcome;
				})();
				const [closeOutcome] = await Promise.all([closer, ...Array.from({ length: 8 }, (_, lane) => voter(lane))]);
				expect(closeOutcome).toBe('closed');

				const accepted = answers.filter((answer) => answer.outcome === 'recorded');
				const late = answers.filter((answer) => answer.sentAt > closedAt);
				expect(late.length, `round ${round}: no vote was sent after the close`).toBeGreaterThan(0);
				expect(
					late.filter((answer) => answer.outcome !== 'refused'),
					`round ${round}: votes taken after the poll closed`,
				).toEqual([]);

				const store = await openStore(url, createLogger({ level: 'silent', secrets: [] }), { namespace });
				try {
					const polls = createPollStore(store, await storeVoteKey(store));
					const record = await polls.getPoll(pollId);
					const stored = await polls.listVotes(pollId);
					expect(record?.status).toBe('closed');
					const counted = (record?.finalCounts ?? []).reduce((sum, count) => sum + count, 0);
					expect(counted, `round ${round}: receipted votes missing from the result`).toBe(accepted.length);
					expect(new Set(stored.keys())).toEqual(new Set(accepted.map((answer) => answer.userId)));
				} finally {
					await store.close();
				}
				// The other owner learns it too: its own close is a no-op, and only one result was ever posted.
				expect(await b.close(pollId)).toBe('already-closed');
				expect(await b.vote(pollId, '1450000000000199999', 0)).toBe('refused');
			}
			expect(a.finalEdits.length + b.finalEdits.length).toBe(3);
		}, 120_000);

		it('both owners closing at the same moment close the poll once', async () => {
			const [a, b] = owners;
			if (!a || !b) throw new Error('the owners did not start');
			for (let round = 0; round < 5; round += 1) {
				const pollId = `both${round}${Date.now().toString(36)}`;
				await a.request({ op: 'create', poll: newPoll(pollId) });
				await b.request({ op: 'adopt' });
				// Both have the poll in memory, as owners do once a vote reached them.
				expect(await a.vote(pollId, '1450000000000200001', 0)).toBe('recorded');
				expect(await b.vote(pollId, '1450000000000200002', 1)).toBe('recorded');
				const before = a.finalEdits.length + b.finalEdits.length;
				const outcomes = await Promise.all([a.close(pollId), b.close(pollId)]);
				expect(outcomes.sort()).toEqual(['already-closed', 'closed']);
				expect(a.finalEdits.length + b.finalEdits.length - before).toBe(1);
			}
		}, 120_000);
	});
}
