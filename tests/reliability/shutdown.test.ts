import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { deployCommands } from '../../src/deploy.js';
import { BotProcess } from '../../src/local/harness/bot-process.js';
import { DiscordStandIn } from '../../src/local/standin/server.js';
import { createLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/keyv.js';
import { createPollStore } from '../../src/store/polls.js';
import { openVoteKey } from '../../src/store/vote-key.js';

describe('graceful shutdown under load', () => {
	const dir = mkdtempSync(join(tmpdir(), 'parley-sigterm-'));
	const storeUrl = `sqlite://${join(dir, 'shutdown.sqlite')}`;
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	it('SIGTERM during a burst: votes in flight finish, the store closes cleanly, nothing receipted is lost', async () => {
		const standIn = await DiscordStandIn.start();
		try {
			await deployCommands(
				loadConfig({
					DISCORD_TOKEN: standIn.token,
					DISCORD_API_BASE: standIn.apiBase,
					DISCORD_GUILD_ID: standIn.defaultGuild.id,
					STORE_URL: storeUrl,
				}),
			);
			const bot = await BotProcess.start({ standIn, storeUrl });
			const mod = standIn.member('mod');
			await standIn.settle(
				standIn.command(mod, {
					name: 'poll',
					subcommand: 'start',
					options: { question: 'Shutdown poll', style: 'yes-no' },
				}),
			);
			const card = [...standIn.messages.values()].find((message) =>
				JSON.stringify(message.embeds).includes('Shutdown poll'),
			);
			if (!card) throw new Error('no card');
			const yes = (card.components as { components: { custom_id: string }[] }[])[0]?.components[0]?.custom_id ?? '';
			const voters = Array.from({ length: 250 }, (_, index) => standIn.member(`leaving${index}`));
			let receipts = 0;
			standIn.on('output', (output: { kind: string }) => {
				if (output.kind === 'reply') receipts += 1;
			});
			const records = voters.map((voter) => standIn.click(voter, card, yes));
			await standIn.waitFor(() => receipts >= 40, 10_000, 1);
			const exit = await bot.kill('SIGTERM');
			expect(exit.code).toBe(0);
			expect(bot.logs).toContain('"msg":"shutdown complete"');

			const answered = records.filter((record) => record.ack !== null);
			const receipted = records.filter((record) =>
				record.outputs.some((output) => output.message?.content.startsWith('Recorded: Yes')),
			);
			const restarting = records.filter((record) =>
				record.outputs.some((output) => output.message?.content.includes('Parley is restarting')),
			);
			expect(receipted.length).toBeGreaterThanOrEqual(40);
			expect(answered.length).toBe(receipted.length + restarting.length);
			expect(standIn.violations.filter((violation) => violation.rule !== 'no-ack')).toEqual([]);

			const silent = createLogger({ level: 'silent', secrets: [] });
			const store = await openStore(storeUrl, silent);
			try {
				const pollId = /Poll (\w+)/.exec(JSON.stringify(card.embeds))?.[1] ?? '';
				const polls = createPollStore(store, await openVoteKey(store, {}, silent));
				const poll = await polls.getPoll(pollId);
				if (!poll) throw new Error(`poll ${pollId} is not in the store`);
				const votes = await polls.listVotes(pollId);
				for (const record of receipted) expect(votes.has(polls.voterKey(poll, record.userId))).toBe(true);
				for (const record of restarting) expect(votes.has(polls.voterKey(poll, record.userId))).toBe(false);
			} finally {
				await store.close();
			}
		} finally {
			await standIn.close();
		}
	}, 60_000);
});
