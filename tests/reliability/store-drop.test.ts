import { createClient } from '@keyv/redis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { deployCommands } from '../../src/deploy.js';
import { BotProcess } from '../../src/local/harness/bot-process.js';
import { DiscordStandIn, type InteractionRecord } from '../../src/local/standin/server.js';
import type { MessageState } from '../../src/local/standin/state.js';
import { createLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/keyv.js';
import { createPollStore } from '../../src/store/polls.js';
import { openVoteKey } from '../../src/store/vote-key.js';

const RECORDED = 'Recorded:';
const RETRY = "Parley couldn't record your vote — please try again in a moment.";

/** Kills the bot's own connections to the server (found by the per-process client name / application_name). */
const dropConnections: Record<'redis' | 'postgres', (url: string, botPid: number) => Promise<number>> = {
	async redis(url, botPid) {
		const admin = createClient({ url });
		await admin.connect();
		const list = await admin.clientList();
		const ours = list.filter((client) => client.name === `parley-${botPid}`);
		for (const client of ours) await admin.clientKill({ filter: 'ID', id: Number(client.id) });
		await admin.quit();
		return ours.length;
	},
	async postgres(url, botPid) {
		const admin = new pg.Client({ connectionString: url });
		await admin.connect();
		const result = await admin.query(
			'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
			[`parley-${botPid}`],
		);
		await admin.end();
		return result.rowCount ?? 0;
	},
};

const BACKENDS = [
	{ name: 'redis' as const, url: process.env.REDIS_URL ?? null },
	{ name: 'postgres' as const, url: process.env.POSTGRES_URL ?? null },
];

for (const backend of BACKENDS) {
	describe.skipIf(backend.url === null)(`${backend.name} connection dropped`, () => {
		it('votes get a receipt or a clear "try again", nothing is half-written, and the bot recovers by itself', async () => {
			const url = backend.url ?? '';
			const standIn = await DiscordStandIn.start();
			const bot = await (async () => {
				await deployCommands(
					loadConfig({
						DISCORD_TOKEN: standIn.token,
						DISCORD_API_BASE: standIn.apiBase,
						DISCORD_GUILD_ID: standIn.defaultGuild.id,
						STORE_URL: url,
					}),
				);
				return BotProcess.start({ standIn, storeUrl: url });
			})();
			try {
				const question = `Drop poll ${backend.name} ${Date.now()}`;
				await standIn.settle(
					standIn.command(standIn.member('mod'), {
						name: 'poll',
						subcommand: 'start',
						options: { question, style: 'yes-no' },
					}),
				);
				const card = [...standIn.messages.values()].find((message) =>
					JSON.stringify(message.embeds).includes(question),
				) as MessageState;
				const yes = (card.components as { components: { custom_id: string }[] }[])[0]?.components[0]?.custom_id ?? '';
				const click = (name: string) => standIn.click(standIn.member(name), card, yes);
				const answer = async (record: InteractionRecord) =>
					(await standIn.settle(record, 20)).find((output) => output.message)?.message?.content ?? '';

				expect(await answer(click('before'))).toMatch(/^Recorded:/);
				const dropped = await dropConnections[backend.name](url, bot.pid ?? 0);
				expect(dropped).toBeGreaterThan(0);
				const during = await Promise.all(Array.from({ length: 30 }, (_, index) => click(`during${index}`)).map(answer));
				for (const text of during) expect(text.startsWith(RECORDED) || text === RETRY).toBe(true);

				// It recovers by itself: within a few seconds a new vote is recorded again.
				let recovered = false;
				for (let attempt = 0; attempt < 20 && !recovered; attempt += 1) {
					recovered = (await answer(click(`after${attempt}`))).startsWith(RECORDED);
					if (!recovered) await new Promise((resolve) => setTimeout(resolve, 500));
				}
				expect(recovered).toBe(true);
				expect(standIn.violations.filter((violation) => violation.rule !== 'no-ack')).toEqual([]);

				const silent = createLogger({ level: 'silent', secrets: [] });
				const store = await openStore(url, silent);
				try {
					const pollId = /Poll (\w+)/.exec(JSON.stringify(card.embeds))?.[1] ?? '';
					const polls = createPollStore(store, await openVoteKey(store, {}, silent));
					const poll = await polls.getPoll(pollId);
					if (!poll) throw new Error(`poll ${pollId} is not in the store`);
					const votes = await polls.listVotes(pollId);
					const receipted = [...standIn.interactions.values()].filter(
						(record) =>
							record.sourceMessageId === card.id &&
							record.outputs.some((output) => output.message?.content.startsWith(RECORDED)),
					);
					for (const record of receipted) expect(votes.has(polls.voterKey(poll, record.userId))).toBe(true);
				} finally {
					await store.close();
				}
				expect(bot.logLines().some((line) => line.msg === 'Parley is ready')).toBe(true);
			} finally {
				await bot.kill('SIGTERM');
				await standIn.close();
			}
		}, 60_000);
	});
}
