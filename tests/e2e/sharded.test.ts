import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { deployCommands } from '../../src/deploy.js';
import { DiscordStandIn } from '../../src/local/standin/server.js';
import { shardForGuild } from '../../src/local/standin/snowflake.js';
import type { GuildState, MessageState } from '../../src/local/standin/state.js';
import { createLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/keyv.js';
import { createPollStore } from '../../src/store/polls.js';
import { openVoteKey } from '../../src/store/vote-key.js';

const REDIS_URL = process.env.REDIS_URL ?? null;

interface ReadyLine {
	msg: string;
	pid: number;
	shards?: number[];
}

describe.skipIf(REDIS_URL === null)('sharded mode: 2 shard processes on Redis', () => {
	let manager: ChildProcess | null = null;
	let standIn: DiscordStandIn | null = null;
	afterAll(async () => {
		manager?.kill('SIGTERM');
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		await standIn?.close();
	});

	it('owns each server in one process; a killed shard comes back; every vote counted once, every poll closed once', async () => {
		standIn = await DiscordStandIn.start({
			guilds: Array.from({ length: 6 }, (_, index) => ({ name: `Shard test ${index}` })),
		});
		const si = standIn;
		const guilds = [...si.guilds.values()];
		const shardOf = (guild: GuildState) => shardForGuild(guild.id, 2);
		expect(new Set(guilds.map(shardOf))).toEqual(new Set([0, 1]));
		await deployCommands(
			loadConfig({ DISCORD_TOKEN: si.token, DISCORD_API_BASE: si.apiBase, STORE_URL: REDIS_URL ?? '' }),
		);

		let output = '';
		manager = spawn(process.execPath, ['--import', 'tsx', 'src/sharded.ts'], {
			env: {
				PATH: process.env.PATH ?? '',
				HOME: process.env.HOME ?? '',
				DISCORD_TOKEN: si.token,
				DISCORD_API_BASE: si.apiBase,
				STORE_URL: REDIS_URL ?? '',
				SHARD_COUNT: '2',
				LOG_LEVEL: 'info',
			},
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		manager.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		manager.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		const readyLines = () =>
			output
				.split('\n')
				.filter((line) => line.includes('"msg":"Parley is ready"'))
				.map((line) => JSON.parse(line) as ReadyLine);
		expect(await si.waitFor(() => readyLines().length >= 2, 60_000)).toBe(true);
		expect(
			readyLines()
				.flatMap((line) => line.shards ?? [])
				.sort(),
		).toEqual([0, 1]);

		const cards: { guild: GuildState; card: MessageState; pollId: string }[] = [];
		for (const guild of guilds) {
			const question = `Sharded poll in ${guild.name}`;
			await si.settle(
				si.command(
					si.member('mod', guild),
					{ name: 'poll', subcommand: 'start', options: { question, duration: '1m', style: 'yes-no' } },
					{ guildId: guild.id },
				),
			);
			const card = [...si.messages.values()].find((message) => JSON.stringify(message.embeds).includes(question));
			if (!card) throw new Error(`no card in ${guild.name}\n${output.slice(-3000)}`);
			cards.push({ guild, card, pollId: /Poll (\w+)/.exec(JSON.stringify(card.embeds))?.[1] ?? '' });
		}
		const yes = (card: MessageState) =>
			(card.components as { components: { custom_id: string }[] }[])[0]?.components[0]?.custom_id ?? '';
		const receipted = new Map<string, Set<string>>();
		const vote = async (prefix: string, count: number) => {
			const records = cards.flatMap(({ guild, card }) =>
				Array.from({ length: count }, (_, index) => si.click(si.member(`${prefix}${index}`, guild), card, yes(card))),
			);
			await Promise.all(records.map((record) => si.settle(record, 20)));
			for (const record of records) {
				const pollId = cards.find(({ card }) => card.id === record.sourceMessageId)?.pollId ?? '';
				if (record.outputs.some((out) => out.message?.content.startsWith('Recorded:')))
					receipted.set(pollId, new Set([...(receipted.get(pollId) ?? []), record.userId]));
			}
		};
		await vote('before', 20);

		const victim = readyLines().find((line) => line.shards?.includes(0));
		if (!victim) throw new Error('no shard 0 process');
		process.kill(victim.pid, 'SIGKILL');
		expect(await si.waitFor(() => readyLines().filter((line) => line.shards?.includes(0)).length >= 2, 60_000)).toBe(
			true,
		);
		await vote('after', 20);

		expect(
			await si.waitFor(
				() => cards.every(({ card }) => JSON.stringify(si.messages.get(card.id)?.embeds).includes('Closed:')),
				120_000,
			),
		).toBe(true);
		const silent = createLogger({ level: 'silent', secrets: [] });
		const store = await openStore(REDIS_URL ?? '', silent);
		const polls = createPollStore(store, await openVoteKey(store, {}, silent));
		try {
			for (const { pollId, card } of cards) {
				const record = await polls.getPoll(pollId);
				const votes = await polls.listVotes(pollId);
				expect(record?.status).toBe('closed');
				expect(record?.closedBy).toBe('deadline');
				for (const userId of receipted.get(pollId) ?? [])
					expect(record && votes.has(polls.voterKey(record, userId))).toBe(true);
				expect((record?.finalCounts ?? []).reduce((sum, count) => sum + count, 0)).toBe(votes.size);
				expect(votes.size).toBe(40);
				const closes = si.outputs.filter(
					(out) =>
						out.kind === 'channel-edit' &&
						out.message?.id === card.id &&
						JSON.stringify(out.message.embeds).includes('Closed:'),
				);
				expect(closes).toHaveLength(1);
			}
		} finally {
			await store.close();
		}
		expect(si.violations.filter((violation) => violation.rule !== 'no-ack')).toEqual([]);
	}, 200_000);
});
