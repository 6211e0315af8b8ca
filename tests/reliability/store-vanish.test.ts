import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TrySession } from '../../src/local/session.js';
import { createLogger } from '../../src/logger.js';
import { STORE_GONE_TEXT } from '../../src/store/file-watch.js';
import { openStore } from '../../src/store/keyv.js';
import { createPollStore } from '../../src/store/polls.js';
import { VoteKey } from '../../src/store/vote-key.js';
import { collectingLogger } from '../support/fakes.js';

/**
 * Issue 11 item 8: the SQLite file deleted (or replaced) under a running bot. SQLite keeps writing to the nameless
 * file, so without a check every receipt looks fine and everything is gone at the next start.
 */
describe('a SQLite store that disappears while the bot runs', () => {
	const dir = mkdtempSync(join(tmpdir(), 'parley-vanish-'));
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	it('refuses votes with a clear message, logs at error level, and keeps a copy of what it held', async () => {
		const storePath = join(dir, 'vanish.sqlite');
		const logFile = join(dir, 'vanish.log');
		const session = await TrySession.start({ storePath, logFile, logLevel: 'info' });
		try {
			await session.run('/poll start question:"Vanishing poll" style:yes-no');
			expect((await session.run('as alice click Yes')).text).toContain('Recorded: Yes');

			rmSync(storePath);
			const refused = await session.run('as bob click No');
			expect(refused.text).toContain(STORE_GONE_TEXT);
			expect(refused.text).not.toContain('Recorded');
			expect((await session.run('as alice click No')).text).toContain(STORE_GONE_TEXT);
			// Her unchanged vote needs no write, but "you voted Yes" would still be a promise the store cannot keep.
			expect((await session.run('as alice click Yes')).text).toContain(STORE_GONE_TEXT);

			const lines = readFileSync(logFile, 'utf8')
				.split('\n')
				.filter(Boolean)
				.map((line) => JSON.parse(line) as { level: number; msg: string; rescued?: string | null });
			const alarm = lines.find((line) => line.msg.includes('was deleted while Parley was running'));
			expect(alarm?.level).toBe(50);
			expect(alarm?.msg).toContain('every write is refused');
			// What the bot held is not lost: the copy has alice's vote, and neither of the refused ones.
			const rescued = alarm?.rescued ?? '';
			expect(rescued).toContain('vanish.sqlite.rescued-');
			const copy = await openStore(`sqlite://${rescued}`, createLogger({ level: 'silent', secrets: [] }));
			try {
				const pollId = /Poll (\w+)/.exec(
					JSON.stringify(
						[...session.standIn.messages.values()].find((message) =>
							JSON.stringify(message.embeds).includes('Vanishing poll'),
						)?.embeds,
					),
				)?.[1];
				// The poll is anonymous: its votes are stored under a keyed hash, with the key kept next to the database.
				const key = new VoteKey(readFileSync(`${storePath}.vote-key`, 'utf8'), { kind: 'configuration' });
				const votes = await createPollStore(copy, key).listVotes(pollId ?? '');
				const names = new Map(
					[...session.standIn.users.keys()].map((id) => [key.voterKey(pollId ?? '', id), session.userName(id)]),
				);
				expect([...votes.entries()].map(([voter, vote]) => [names.get(voter), vote.choice])).toEqual([['alice', 0]]);
			} finally {
				await copy.close();
			}
		} finally {
			await session.stop();
		}
	});

	it('notices on its own, with no write, and when the file is replaced rather than deleted', async () => {
		const storePath = join(dir, 'timer.sqlite');
		const { logger, lines } = collectingLogger();
		const store = await openStore(`sqlite://${storePath}`, logger, { owner: true, fileCheckIntervalMs: 100 });
		try {
			await store.keyv.set('poll:x', { any: 'thing' });
			// Replaced: a restore from backup copied over it, as a new file (another inode).
			writeFileSync(`${storePath}.other`, '');
			renameSync(`${storePath}.other`, storePath);
			const noticed = await new Promise<boolean>((resolve) => {
				const started = Date.now();
				const poll = setInterval(() => {
					const found = lines.some((line) => line.level === 50 && line.msg.includes('was replaced by another file'));
					if (found || Date.now() - started > 5_000) {
						clearInterval(poll);
						resolve(found);
					}
				}, 20);
			});
			expect(noticed).toBe(true);
			await expect(store.keyv.set('poll:y', { any: 'thing' })).rejects.toThrow(STORE_GONE_TEXT);
			expect(readdirSync(dir).some((name) => name.startsWith('timer.sqlite.rescued-'))).toBe(true);
		} finally {
			await store.close();
		}
	});
});
