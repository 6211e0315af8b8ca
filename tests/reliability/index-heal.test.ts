import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { deployCommands } from '../../src/deploy.js';
import { BotProcess } from '../../src/local/harness/bot-process.js';
import { TrySession } from '../../src/local/session.js';
import { type BotOutput, DiscordStandIn } from '../../src/local/standin/server.js';
import type { MessageState } from '../../src/local/standin/state.js';
import { createLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/keyv.js';
import { createPollStore, type PollStore } from '../../src/store/polls.js';
import { storeVoteKey } from '../support/vote-key.js';

/**
 * Issue 11 item 7: the open-poll and per-server indexes are derived from the poll records and heal. A close killed
 * after the final card but before the index writes is repaired at the next start; closing an already-closed poll
 * repairs them; an index write that fails is finished by the sweep.
 */

type Setter = (key: string, value: unknown, ...rest: unknown[]) => Promise<unknown>;

function cardOf(messages: Iterable<MessageState>, question: string): MessageState {
	const found = [...messages]
		.filter((message) => message.visibleTo === null && JSON.stringify(message.embeds).includes(question))
		.at(-1);
	if (!found) throw new Error(`no card for ${question}`);
	return found;
}

function pollIdOf(message: MessageState): string {
	return /Poll (\w+)/.exec(JSON.stringify(message.embeds))?.[1] ?? '';
}

function voteButton(message: MessageState, index: number): string {
	const id = (message.components as { components: { custom_id?: string }[] }[])[0]?.components[index]?.custom_id;
	if (!id) throw new Error('no vote button');
	return id;
}

function choiceNames(outputs: readonly BotOutput[]): string[] {
	return outputs[0]?.choices?.map((choice) => choice.name) ?? [];
}

async function indexState(polls: PollStore, guildId: string, pollId: string) {
	const open = (await polls.openPolls([guildId])).some((entry) => entry.id === pollId);
	const listed = (await polls.guildPolls(guildId)).find((entry) => entry.id === pollId)?.status ?? null;
	return { open, listed };
}

/** The test process's own view of the store, opened only while the bot is not running. */
async function withStore<T>(url: string, use: (polls: PollStore) => Promise<T>): Promise<T> {
	const store = await openStore(url, createLogger({ level: 'silent', secrets: [] }));
	try {
		return await use(createPollStore(store, await storeVoteKey(store)));
	} finally {
		await store.close();
	}
}

function gone(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return false;
	} catch {
		return true;
	}
}

describe('indexes heal after a SIGKILL between the final card and the index update', () => {
	for (const crashAt of [1, 2]) {
		it(`killed before index write ${crashAt} of the close: the next start repairs both indexes`, async () => {
			const dir = mkdtempSync(join(tmpdir(), 'parley-heal-'));
			const storeUrl = `sqlite://${join(dir, 'heal.sqlite')}`;
			const standIn = await DiscordStandIn.start();
			const guildId = standIn.defaultGuild.id;
			await deployCommands(
				loadConfig({
					DISCORD_TOKEN: standIn.token,
					DISCORD_API_BASE: standIn.apiBase,
					DISCORD_GUILD_ID: guildId,
					STORE_URL: storeUrl,
				}),
			);
			const mod = standIn.member('mod');
			let bot = await BotProcess.start({
				standIn,
				storeUrl,
				entry: 'tests/support/crash-before-index-bot.ts',
				env: { CRASH_AT_INDEX_WRITE: String(crashAt) },
			});
			try {
				const question = `Killed mid-close ${crashAt}`;
				await standIn.settle(
					standIn.command(mod, {
						name: 'poll',
						subcommand: 'start',
						options: { question, style: 'yes-no', duration: '7d' },
					}),
				);
				const card = cardOf(standIn.messages.values(), question);
				const pollId = pollIdOf(card);
				await standIn.settle(standIn.click(standIn.member('alice'), card, voteButton(card, 0)), 20);
				standIn.command(mod, { name: 'poll', subcommand: 'close', options: { poll: pollId } });
				const pid = bot.pid ?? 0;
				expect(await standIn.waitFor(() => gone(pid), 20_000, 5)).toBe(true);
				expect(JSON.stringify(cardOf(standIn.messages.values(), question).embeds)).toContain(`Closed: ${question}`);

				// The kill landed where intended: the record is closed and at least one index still says open.
				const before = await withStore(storeUrl, async (polls) => ({
					status: (await polls.getPoll(pollId))?.status,
					...(await indexState(polls, guildId, pollId)),
				}));
				expect(before.status).toBe('closed');
				expect(before.open || before.listed !== 'closed').toBe(true);

				bot = await BotProcess.start({ standIn, storeUrl });
				const complete = await standIn.settle(
					standIn.autocomplete(mod, { name: 'poll', subcommand: 'results', options: { poll: 'killed' } }, 'poll'),
				);
				expect(choiceNames(complete)).toEqual([`[closed] ${question}`]);
				const list = await standIn.settle(standIn.command(mod, { name: 'poll', subcommand: 'list' }));
				expect(list[0]?.message?.content).not.toContain(question);
				const late = await standIn.settle(standIn.click(standIn.member('bob'), card, voteButton(card, 1)), 20);
				expect(late[0]?.message?.content).toMatch(/^This poll closed at <t:\d+:f>\.$/);
				await bot.kill('SIGTERM');

				const after = await withStore(storeUrl, async (polls) => ({
					record: await polls.getPoll(pollId),
					...(await indexState(polls, guildId, pollId)),
				}));
				expect(after.open).toBe(false);
				expect(after.listed).toBe('closed');
				expect(after.record?.finalCounts).toEqual([1, 0]);
				const finalEdits = standIn.outputs.filter(
					(output) =>
						output.kind === 'channel-edit' && JSON.stringify(output.message?.embeds ?? []).includes('Closed:'),
				);
				expect(finalEdits).toHaveLength(1);
				expect(bot.logLines().some((line) => line.msg.includes('repaired'))).toBe(true);
			} finally {
				await bot.kill('SIGTERM');
				await standIn.close();
				rmSync(dir, { recursive: true, force: true });
			}
		}, 90_000);
	}
});

describe('indexes heal (in-process bot on the stand-in)', () => {
	let session: TrySession;
	const logFile = join(tmpdir(), `parley-heal-${process.pid}.log`);
	const storePath = join(tmpdir(), `parley-heal-${process.pid}.sqlite`);
	let restore: () => void = () => {};
	const polls = async () => createPollStore(session.running.ctx.store, await storeVoteKey(session.running.ctx.store));
	const guildId = () => session.standIn.defaultGuild.id;

	/** Leaves a closed poll as a kill between the final card and the index writes would: both indexes say open. */
	async function makeStale(pollId: string): Promise<void> {
		const record = await (await polls()).getPoll(pollId);
		if (!record) throw new Error('no record');
		await (await polls()).addOpenPoll({ id: record.id, guildId: record.guildId, deadline: record.deadline });
		await (await polls()).upsertGuildPoll(record.guildId, {
			id: record.id,
			question: record.question,
			status: 'open',
			createdAt: record.createdAt,
			deadline: record.deadline,
		});
	}

	async function closedPoll(question: string): Promise<string> {
		await session.run(`/poll start question:"${question}" style:yes-no duration:7d`);
		await session.run('as alice click Yes');
		const pollId = pollIdOf(cardOf(session.standIn.messages.values(), question));
		expect((await session.run(`/poll close poll:${pollId}`)).text).toContain(`Closed “${question}”`);
		return pollId;
	}

	beforeAll(async () => {
		session = await TrySession.start({ logLevel: 'info', logFile, storePath });
	});
	afterEach(() => {
		restore();
		restore = () => {};
	});
	afterAll(async () => {
		await session.stop();
		for (const suffix of ['', '-wal', '-shm']) rmSync(`${storePath}${suffix}`, { force: true });
		rmSync(logFile, { force: true });
	});

	it('closing an already-closed poll repairs the open-poll and server indexes', async () => {
		const pollId = await closedPoll('Stale index poll');
		await makeStale(pollId);
		expect(choiceNames((await session.run('complete /poll results poll:stale')).outputs)).toEqual(['Stale index poll']);

		expect((await session.run(`/poll close poll:${pollId}`)).text).toContain('That poll already closed');
		expect(await indexState(await polls(), guildId(), pollId)).toEqual({ open: false, listed: 'closed' });
		expect(choiceNames((await session.run('complete /poll results poll:stale')).outputs)).toEqual([
			'[closed] Stale index poll',
		]);
	});

	it('startup checks the open index against the poll records: stale entries repaired, orphans dropped', async () => {
		const pollId = await closedPoll('Restart heal poll');
		await makeStale(pollId);
		await (await polls()).addOpenPoll({ id: 'ghostpoll1', guildId: guildId(), deadline: Date.now() + 86_400_000 });
		await session.restart();
		expect(await indexState(await polls(), guildId(), pollId)).toEqual({ open: false, listed: 'closed' });
		expect((await (await polls()).openPolls([guildId()])).map((entry) => entry.id)).not.toContain('ghostpoll1');
		expect(choiceNames((await session.run('complete /poll results poll:restart')).outputs)).toEqual([
			'[closed] Restart heal poll',
		]);
		const logs = readFileSync(logFile, 'utf8');
		expect(logs).toContain('repaired the indexes of a closed poll');
		expect(logs).toContain('dropped an open-poll index entry with no poll record');
	});

	it('an index write that fails during a close is finished by the next sweep', async () => {
		const question = 'Index write fails';
		await session.run(`/poll start question:"${question}" style:yes-no duration:7d`);
		await session.run('as alice click No');
		const pollId = pollIdOf(cardOf(session.standIn.messages.values(), question));
		const adapter = session.running.ctx.store.keyv.store as { set: Setter };
		const realSet = adapter.set.bind(adapter);
		let failed = 0;
		adapter.set = async (key, value, ...rest) => {
			if (failed === 0 && (key.includes(':guild-polls:') || key.includes(':open-polls:'))) {
				failed += 1;
				throw Object.assign(new Error('SQLITE_FULL: database or disk is full'), { code: 'SQLITE_FULL' });
			}
			return realSet(key, value, ...rest);
		};
		restore = () => {
			adapter.set = realSet;
		};
		const closed = await session.run(`/poll close poll:${pollId}`);
		expect(failed).toBe(1);
		expect(closed.text).toContain(`Closed “${question}” with 1 vote`);
		expect(JSON.stringify(cardOf(session.standIn.messages.values(), question).embeds)).toContain(`Closed: ${question}`);
		restore();
		await session.run('advance 1m');
		expect(await indexState(await polls(), guildId(), pollId)).toEqual({ open: false, listed: 'closed' });
		expect(choiceNames((await session.run('complete /poll results poll:write')).outputs)).toEqual([
			`[closed] ${question}`,
		]);
	});
});
