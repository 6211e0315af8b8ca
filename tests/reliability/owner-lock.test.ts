import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { deployCommands } from '../../src/deploy.js';
import { BotProcess } from '../../src/local/harness/bot-process.js';
import { DiscordStandIn } from '../../src/local/standin/server.js';
import type { MessageState } from '../../src/local/standin/state.js';

/**
 * One owner per SQLite store, with real processes: a second `npm start` on the same file refuses to start and names
 * the owner; the lock goes away with a graceful stop and with a SIGKILL (the kernel releases it), so a restart
 * never waits for a timeout.
 */
describe('one owner per SQLite store', () => {
	const dir = mkdtempSync(join(tmpdir(), 'parley-owner-'));
	const storePath = join(dir, 'owned.sqlite');
	const storeUrl = `sqlite://${storePath}`;
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	it('a second process refuses to start with a clear message; SIGTERM and SIGKILL both free the store at once', async () => {
		const standIn = await DiscordStandIn.start();
		const running: BotProcess[] = [];
		try {
			await deployCommands(
				loadConfig({
					DISCORD_TOKEN: standIn.token,
					DISCORD_API_BASE: standIn.apiBase,
					DISCORD_GUILD_ID: standIn.defaultGuild.id,
					STORE_URL: storeUrl,
				}),
			);
			const first = await BotProcess.start({ standIn, storeUrl });
			running.push(first);
			await standIn.settle(
				standIn.command(standIn.member('mod'), {
					name: 'poll',
					subcommand: 'start',
					options: { question: 'Owner poll', style: 'yes-no' },
				}),
			);
			const card = [...standIn.messages.values()].find((message) =>
				JSON.stringify(message.embeds).includes('Owner poll'),
			) as MessageState;
			const yes = (card.components as { components: { custom_id: string }[] }[])[0]?.components[0]?.custom_id ?? '';
			const vote = async (name: string) =>
				(await standIn.settle(standIn.click(standIn.member(name), card, yes), 20)).find((output) => output.message)
					?.message?.content ?? '';

			// A second owner on the same file: refused before it connects to Discord, naming the running one.
			const refused = await BotProcess.start({ standIn, storeUrl }).then(
				(bot) => {
					running.push(bot);
					return null;
				},
				(error: unknown) => String(error),
			);
			expect(refused, 'the second process started').not.toBeNull();
			expect(refused).toContain('exited early');
			expect(refused).toContain(`already used by another Parley process (pid ${first.pid}`);
			expect(refused).toContain(storePath);
			// The first one was not disturbed.
			expect(await vote('alice')).toMatch(/^Recorded:/);

			// Graceful stop releases the lock; the next owner starts at once.
			expect((await first.kill('SIGTERM')).code).toBe(0);
			let started = Date.now();
			const second = await BotProcess.start({ standIn, storeUrl });
			running.push(second);
			const afterTerm = Date.now() - started;
			expect(await vote('bob')).toMatch(/^Recorded:/);

			// SIGKILL: no clean-up ran, yet the lock is gone with the process.
			await second.kill('SIGKILL');
			started = Date.now();
			const third = await BotProcess.start({ standIn, storeUrl });
			running.push(third);
			const afterKill = Date.now() - started;
			expect(await vote('carol')).toMatch(/^Recorded:/);
			expect(third.logLines().some((line) => line.msg === 'took ownership of the SQLite store')).toBe(true);
			// Both restarts are ordinary starts: nothing waits for a stale lock to time out.
			console.log(`restart after SIGTERM ${afterTerm} ms, after SIGKILL ${afterKill} ms`);
			expect(existsSync(`${storePath}-owner`)).toBe(true);
		} finally {
			for (const bot of running) await bot.kill('SIGTERM');
			await standIn.close();
		}
	}, 90_000);
});
