import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { deployCommands } from '../../src/deploy.js';
import { BotProcess } from '../../src/local/harness/bot-process.js';
import { DiscordStandIn } from '../../src/local/standin/server.js';
import { shardForGuild } from '../../src/local/standin/snowflake.js';
import type { GuildState, MessageState } from '../../src/local/standin/state.js';
import { createLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/keyv.js';
import { createPollStore } from '../../src/store/polls.js';
import { storeVoteKey } from '../support/vote-key.js';

/**
 * Parley beyond one machine: each machine runs `npm run start:sharded` with its own SHARD_LIST (SHARD_COUNT the
 * total), all on one Redis or PostgreSQL store. Here two "machines" are two ShardingManagers on this one, and a
 * rolling restart starts machine A's replacement while A still runs, so the old and the new process of each of A's
 * shards overlap — across a poll deadline, and while the old one starts new polls.
 */

const SHARD_COUNT = 4;
const MACHINES = { a: [0, 1], b: [2, 3] } as const;

interface LogLine {
	msg: string;
	pid: number;
	shards?: number[];
	pollId?: string;
	guildId?: string;
	openPolls?: number;
}

/** One machine's `npm run start:sharded`, with its output (the manager's and its shard processes' JSON lines). */
class Machine {
	output = '';
	private readonly exited: Promise<void>;

	constructor(
		readonly name: string,
		readonly shardList: readonly number[],
		private readonly child: ChildProcess,
	) {
		child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
		child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
		this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
	}

	static start(name: string, standIn: DiscordStandIn, storeUrl: string, shardList: readonly number[]): Machine {
		const child = spawn(process.execPath, ['--import', 'tsx', 'src/sharded.ts'], {
			env: {
				PATH: process.env.PATH ?? '',
				HOME: process.env.HOME ?? '',
				DISCORD_TOKEN: standIn.token,
				DISCORD_API_BASE: standIn.apiBase,
				STORE_URL: storeUrl,
				SHARD_COUNT: String(SHARD_COUNT),
				SHARD_LIST: shardList.join(','),
				LOG_LEVEL: 'info',
			},
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		return new Machine(name, shardList, child);
	}

	lines(): LogLine[] {
		return this.output
			.split('\n')
			.filter((line) => line.startsWith('{'))
			.map((line) => JSON.parse(line) as LogLine);
	}

	readyShards(): number[] {
		return this.lines()
			.filter((line) => line.msg === 'Parley is ready')
			.flatMap((line) => line.shards ?? [])
			.sort();
	}

	get running(): boolean {
		return this.child.exitCode === null && this.child.signalCode === null;
	}

	/** SIGTERM, as a deploy tool stops the old release; the manager stops its shards, each finishing its work. */
	async stop(): Promise<void> {
		if (this.running) this.child.kill('SIGTERM');
		const timeout = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
		await this.exited;
		clearTimeout(timeout);
	}
}

const BACKEND_URLS = [
	{ name: 'Redis', url: process.env.REDIS_URL ?? null },
	{ name: 'PostgreSQL', url: process.env.POSTGRES_URL ?? null },
];

for (const { name, url } of BACKEND_URLS) {
	describe.skipIf(url === null)(`SHARD_LIST: two machines share ${SHARD_COUNT} shards on one ${name} store`, () => {
		const storeUrl = url ?? '';
		const machines: Machine[] = [];
		let standIn: DiscordStandIn | null = null;
		afterAll(async () => {
			await Promise.all(machines.map((machine) => machine.stop()));
			await standIn?.close();
		});

		it('npm start with SHARD_LIST runs exactly the listed shards in one process', async () => {
			const si = await DiscordStandIn.start({ guilds: [{ name: 'One process' }] });
			try {
				await deployCommands(
					loadConfig({ DISCORD_TOKEN: si.token, DISCORD_API_BASE: si.apiBase, STORE_URL: storeUrl }),
				);
				const bot = await BotProcess.start({
					standIn: si,
					storeUrl,
					env: { SHARD_COUNT: String(SHARD_COUNT), SHARD_LIST: '1,3' },
				});
				try {
					const ready = bot.logLines().find((line) => line.msg === 'Parley is ready');
					expect(ready?.shards).toEqual([1, 3]);
					expect(ready?.shardCount).toBe(SHARD_COUNT);
					expect([...si.connectedShards].sort()).toEqual([1, 3]);
				} finally {
					await bot.kill('SIGTERM');
				}
			} finally {
				await si.close();
			}
		}, 60_000);

		it('each machine serves only its shards; a rolling restart with old and new owners overlapping counts every vote once and closes every poll once', async () => {
			standIn = await DiscordStandIn.start({ guilds: [{ name: 'Server 0' }] });
			const si = standIn;
			// Two servers on each shard (ids carry their creation time, so shards come from creating them over time).
			const byShard = new Map<number, GuildState[]>();
			for (let index = 1; [...byShard.values()].filter((list) => list.length >= 2).length < SHARD_COUNT; index++) {
				for (const guild of si.guilds.values()) {
					const shard = shardForGuild(guild.id, SHARD_COUNT);
					const list = byShard.get(shard) ?? [];
					if (list.length < 2 && !list.includes(guild)) byShard.set(shard, [...list, guild]);
				}
				if ([...byShard.values()].filter((list) => list.length >= 2).length < SHARD_COUNT) {
					await new Promise((resolve) => setTimeout(resolve, 1 + (index % 3)));
					si.addGuild({ name: `Server ${index}` });
				}
			}
			const guilds = [...byShard.values()].flat();
			const machineOf = (guild: GuildState): 'a' | 'b' =>
				(MACHINES.a as readonly number[]).includes(shardForGuild(guild.id, SHARD_COUNT)) ? 'a' : 'b';
			const guildsOfA = guilds.filter((guild) => machineOf(guild) === 'a');
			await deployCommands(loadConfig({ DISCORD_TOKEN: si.token, DISCORD_API_BASE: si.apiBase, STORE_URL: storeUrl }));

			const a = Machine.start('a', si, storeUrl, MACHINES.a);
			const b = Machine.start('b', si, storeUrl, MACHINES.b);
			machines.push(a, b);
			const logs = () => machines.map((machine) => machine.output).join('\n');
			expect(await si.waitFor(() => a.readyShards().length === 2 && b.readyShards().length === 2, 90_000)).toBe(true);
			expect(a.readyShards()).toEqual([0, 1]);
			expect(b.readyShards()).toEqual([2, 3]);

			// ------------------------------------------------------------------ polls and votes
			interface Card {
				guild: GuildState;
				card: MessageState;
				pollId: string;
				wave: 1 | 2;
			}
			const cards: Card[] = [];
			const startPoll = async (guild: GuildState, wave: 1 | 2, duration: string) => {
				const question = `Wave ${wave} poll in ${guild.name}`;
				await si.settle(
					si.command(
						si.member('mod', guild),
						{ name: 'poll', subcommand: 'start', options: { question, duration, style: 'yes-no' } },
						{ guildId: guild.id },
					),
					20,
				);
				const card = [...si.messages.values()].find((message) => JSON.stringify(message.embeds).includes(question));
				if (!card) throw new Error(`no card in ${guild.name}\n${logs().slice(-3000)}`);
				cards.push({ guild, card, pollId: /Poll (\w+)/.exec(JSON.stringify(card.embeds))?.[1] ?? '', wave });
			};
			const button = (card: MessageState, index: number) =>
				(card.components as { components: { custom_id: string }[] }[])[0]?.components[index]?.custom_id ?? '';
			/** The choice each member's last receipt confirmed, per poll. */
			const receipted = new Map<string, Map<string, number>>();
			const vote = async (targets: readonly Card[], voters: readonly string[], choice: number) => {
				const clicks = targets.flatMap((target) =>
					voters.map((voter) => ({
						target,
						record: si.click(si.member(voter, target.guild), target.card, button(target.card, choice)),
					})),
				);
				await Promise.all(clicks.map(({ record }) => si.settle(record, 20)));
				for (const { target, record } of clicks) {
					const content = record.outputs.find((out) => out.message)?.message?.content ?? '';
					if (/^(Recorded|Changed your vote)/.test(content)) {
						const votes = receipted.get(target.pollId) ?? new Map<string, number>();
						votes.set(record.userId, choice);
						receipted.set(target.pollId, votes);
					}
				}
			};
			const names = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}${index}`);
			const isClosed = (target: Card) => JSON.stringify(si.messages.get(target.card.id)?.embeds).includes('Closed:');

			// Wave 1: a poll in every server, closing in a minute, while each machine runs alone.
			for (const guild of guilds) await startPoll(guild, 1, '1m');
			const wave1 = cards.filter((target) => target.wave === 1);
			await vote(wave1, names('before', 8), 0);

			// The rolling restart begins: A's replacement starts while A still runs.
			const next = Machine.start('a-next', si, storeUrl, MACHINES.a);
			machines.push(next);
			expect(await si.waitFor(() => next.readyShards().length === 2, 90_000)).toBe(true);
			expect(next.readyShards()).toEqual([0, 1]);

			// Wave 2: polls A starts during the overlap, which its replacement must pick up and close.
			for (const guild of guildsOfA) await startPoll(guild, 2, '90s');
			const wave2 = cards.filter((target) => target.wave === 2);
			await vote([...wave1, ...wave2], names('overlap', 8), 0);
			const takenOver = () =>
				next
					.lines()
					.filter((line) => line.msg === 'took over open polls started by another process')
					.reduce((sum, line) => sum + (line.openPolls ?? 0), 0);
			expect(await si.waitFor(() => takenOver() >= wave2.length, 60_000), logs().slice(-3000)).toBe(true);

			// Wave 1's deadline passes while both owners of A's shards run: each has the close scheduled.
			expect(await si.waitFor(() => wave1.every(isClosed), 90_000)).toBe(true);

			// The old release stops; from now on A's servers are served by the replacement alone.
			await a.stop();
			expect(wave2.some(isClosed)).toBe(false);
			await vote(wave2, names('after', 8), 0);
			await vote(wave2, names('overlap', 4), 1);
			expect(await si.waitFor(() => wave2.every(isClosed), 120_000)).toBe(true);
			// Let any second close (which must not happen) show itself.
			await new Promise((resolve) => setTimeout(resolve, 3_000));

			// ------------------------------------------------------------------ every vote counted once
			const store = await openStore(storeUrl, createLogger({ level: 'silent', secrets: [] }));
			const polls = createPollStore(store, await storeVoteKey(store));
			try {
				for (const target of cards) {
					const record = await polls.getPoll(target.pollId);
					const votes = await polls.listVotes(target.pollId);
					const stored = new Map([...votes].map(([userId, stored]) => [userId, stored.choice]));
					expect(record?.status, target.pollId).toBe('closed');
					expect(record?.closedBy, target.pollId).toBe('deadline');
					// Every receipt is a stored vote with the member's last confirmed choice, and nothing else is stored (an
					// anonymous poll's votes are stored under the keyed hash of the member id, not the id).
					const expected = new Map(
						[...(receipted.get(target.pollId) ?? [])].map(([userId, choice]) => [
							record ? polls.voterKey(record, userId) : userId,
							choice,
						]),
					);
					expect(stored, target.pollId).toEqual(expected);
					expect(stored.size, target.pollId).toBe(16);
					const counts = [0, 1].map((choice) => [...stored.values()].filter((value) => value === choice).length);
					expect(record?.finalCounts, target.pollId).toEqual(counts);
				}
				expect(wave2).toHaveLength(guildsOfA.length);
			} finally {
				await store.close();
			}

			// ------------------------------------------------------------------ each machine served only its shards
			for (const machine of machines) {
				for (const line of machine
					.lines()
					.filter((entry) => entry.msg === 'poll started' || entry.msg === 'poll closed')) {
					const guild = guilds.find((entry) => entry.id === line.guildId);
					if (!guild) continue;
					expect(machine.shardList, `${machine.name}: ${line.msg} in ${guild.name}`).toContain(
						shardForGuild(guild.id, SHARD_COUNT),
					);
				}
			}

			// ------------------------------------------------------------------ every poll closed once
			// Depends on the atomic close claim on Redis/PostgreSQL (issue 11 item 4, the "owner" change): without it
			// the old and the new owner both close wave 1's polls in A's servers when the deadline passes.
			const closeLogs = machines.flatMap((machine) => machine.lines().filter((line) => line.msg === 'poll closed'));
			const finalEdits = (target: Card) =>
				si.outputs.filter(
					(out) =>
						out.kind === 'channel-edit' &&
						out.message?.id === target.card.id &&
						JSON.stringify(out.message.embeds).includes('Closed:'),
				).length;
			expect(
				Object.fromEntries(
					cards.map((target) => [target.pollId, closeLogs.filter((line) => line.pollId === target.pollId).length]),
				),
				'CLOSE CLAIM: "poll closed" logged once per poll across every process',
			).toEqual(Object.fromEntries(cards.map((target) => [target.pollId, 1])));
			expect(
				Object.fromEntries(cards.map((target) => [target.pollId, finalEdits(target)])),
				'CLOSE CLAIM: one final card per poll',
			).toEqual(Object.fromEntries(cards.map((target) => [target.pollId, 1])));

			expect(si.violations.filter((violation) => violation.rule !== 'no-ack')).toEqual([]);
		}, 420_000);
	});
}
