import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord-api-types/v10';
import sqlite3 from 'sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS } from '../../src/domain/poll.js';
import { TrySession } from '../../src/local/session.js';
import type { MessageState } from '../../src/local/standin/state.js';

const DAY = 86_400_000;

function card(session: TrySession, question: string): MessageState {
	const found = [...session.standIn.messages.values()]
		.filter((message) => message.visibleTo === null && JSON.stringify(message.embeds).includes(question))
		.at(-1);
	if (!found) throw new Error(`no card for ${question}`);
	return found;
}

function voteId(message: MessageState, index: number): string {
	const id = (message.components as { components: { custom_id?: string }[] }[])[0]?.components[index]?.custom_id;
	if (!id) throw new Error('no vote button');
	return id;
}

function liveCounts(message: MessageState): number[] {
	return [...JSON.stringify(message.embeds).matchAll(/\*\* — (\d+) \(/g)].map((match) => Number(match[1]));
}

describe('faults the bot survives (in-process bot on the stand-in)', () => {
	let session: TrySession;
	const logFile = join(tmpdir(), `parley-faults-${process.pid}.log`);
	const storePath = join(tmpdir(), `parley-faults-${process.pid}.sqlite`);
	const logs = () => readFileSync(logFile, 'utf8');

	beforeAll(async () => {
		session = await TrySession.start({ logLevel: 'info', logFile, storePath });
	});
	afterEach(() => {
		session.standIn.faults.splice(0);
		vi.restoreAllMocks();
	});
	afterAll(async () => {
		await session.stop();
		for (const suffix of ['', '-wal', '-shm']) rmSync(`${storePath}${suffix}`, { force: true });
		rmSync(logFile, { force: true });
	});

	it('store full or read-only: the voter is told to try again, nothing is half-written, it recovers by itself', async () => {
		await session.run('/poll start question:"Disk full poll" style:yes-no');
		const adapter = session.running.ctx.store.keyv.store as { set: (...args: unknown[]) => Promise<unknown> };
		const realSet = adapter.set.bind(adapter);
		for (const failure of [
			'SQLITE_FULL: database or disk is full',
			'SQLITE_READONLY: attempt to write a readonly database',
		]) {
			adapter.set = async () => {
				throw Object.assign(new Error(failure), { code: failure.split(':')[0] });
			};
			const refused = await session.run('as alice click Yes');
			expect(refused.text).toContain("Parley couldn't record your vote — please try again in a moment.");
			expect(refused.text).toContain('only alice can see this');
			adapter.set = realSet;
		}
		expect(JSON.stringify(card(session, 'Disk full poll').embeds)).toContain('— 0 (0%)');
		const retried = await session.run('as alice click Yes');
		expect(retried.text).toContain('Recorded: Yes');
		expect((await session.run('/help')).outputs[0]?.kind).toBe('reply');
	});

	it('store locked by another writer: the vote is deferred inside 3 s, refused after the busy timeout, and works once the lock goes', async () => {
		await session.run('/poll start question:"Locked poll" style:yes-no');
		const locker = new sqlite3.Database(storePath);
		await new Promise<void>((resolve, reject) =>
			locker.exec('BEGIN EXCLUSIVE', (error) => (error ? reject(error) : resolve())),
		);
		try {
			const message = card(session, 'Locked poll');
			const record = session.standIn.click(session.standIn.member('bob'), message, voteId(message, 0));
			const outputs = await session.standIn.settle(record, 100, 40_000);
			expect(outputs[0]?.kind).toBe('defer');
			expect(outputs.at(-1)?.message?.content).toBe("Parley couldn't record your vote — please try again in a moment.");
		} finally {
			await new Promise<void>((resolve) => locker.exec('ROLLBACK', () => locker.close(() => resolve())));
		}
		expect((await session.run('as bob click Yes')).text).toContain('Recorded: Yes');
	}, 60_000);

	it('429 with Retry-After on card edits: the live count still converges', async () => {
		await session.run('/poll start question:"Rate limited poll" style:yes-no');
		const message = card(session, 'Rate limited poll');
		session.standIn.faults.push({
			method: 'PATCH',
			path: new RegExp(`/messages/${message.id}$`),
			status: 429,
			retryAfterSeconds: 1,
			times: 3,
		});
		const voters = Array.from({ length: 30 }, (_, index) => session.standIn.member(`ratelimited${index}`));
		await Promise.all(
			voters.map((voter, index) =>
				session.standIn.settle(session.standIn.click(voter, message, voteId(message, index % 3 === 0 ? 1 : 0)), 20),
			),
		);
		const converged = await session.standIn.waitFor(
			() => liveCounts(card(session, 'Rate limited poll')).join() === '20,10',
			20_000,
		);
		expect(converged).toBe(true);
		expect(logs()).toContain('rate limited by Discord');
	}, 40_000);

	it('5xx on REST calls: retried, then a clear log line, and the bot stays up', async () => {
		await session.run('/poll start question:"Flaky poll" style:yes-no');
		const message = card(session, 'Flaky poll');
		session.standIn.faults.push({
			method: 'PATCH',
			path: new RegExp(`/messages/${message.id}$`),
			status: 502,
			times: 2,
		});
		await session.run('as carol click Yes');
		expect(await session.standIn.waitFor(() => liveCounts(card(session, 'Flaky poll')).join() === '1,0', 15_000)).toBe(
			true,
		);
		const attempts = session.standIn.traffic.filter(
			(request) => request.method === 'PATCH' && request.path.endsWith(message.id),
		);
		expect(attempts.filter((request) => request.status === 502)).toHaveLength(2);

		session.standIn.faults.push({
			method: 'PATCH',
			path: new RegExp(`/messages/${message.id}$`),
			status: 503,
			times: Number.POSITIVE_INFINITY,
		});
		await session.run('as dan click No');
		expect(
			await session.standIn.waitFor(() => logs().includes('could not update the live count on a poll card'), 20_000),
		).toBe(true);
		session.standIn.faults.splice(0);
		expect((await session.run('/help')).ok).toBe(true);
	}, 40_000);

	it('an acknowledgement that arrives too late (10062) is logged, not fatal', async () => {
		session.standIn.faults.push({
			path: /\/callback$/,
			status: 404,
			code: 10062,
			message: 'Unknown interaction',
			times: 2,
		});
		const result = await session.run('/help');
		expect(result.ok).toBe(false);
		expect(logs()).toContain('Unknown interaction');
		expect((await session.run('/help')).ok).toBe(true);
	});

	it('missing permission to post in a channel (50013): the moderator is told which permission', async () => {
		const guild = session.standIn.defaultGuild;
		const channel = session.standIn.findChannel(guild, 'debate');
		if (!channel) throw new Error('no #debate');
		session.standIn.denyBot(channel, PermissionFlagsBits.SendMessages | PermissionFlagsBits.AttachFiles);
		const refused = await session.standIn.settle(
			session.standIn.command(
				session.standIn.member('mod'),
				{ name: 'poll', subcommand: 'start', options: { question: 'Where?' } },
				{ channelId: channel.id },
			),
		);
		expect(refused[0]?.message?.content).toContain(
			"I can't post a poll in this channel: I need the Send Messages, Attach Files permissions here.",
		);

		session.standIn.faults.push({
			method: 'POST',
			path: /^\/channels\/\d+\/messages$/,
			status: 403,
			code: 50013,
			message: 'Missing Permissions',
			times: 1,
		});
		const fallback = await session.run('/poll start question:"Refused by Discord"');
		expect(fallback.text).toContain('Discord refused to let me post the poll here (missing permissions)');
		expect((await session.run('/poll list')).text).not.toContain('Refused by Discord');
	});

	it('a gateway reconnect and resume in the middle of a burst loses no interaction and answers none twice', async () => {
		await session.run('/poll start question:"Reconnect poll" style:yes-no');
		const violationsBefore = session.standIn.violations.length;
		const message = card(session, 'Reconnect poll');
		const voters = Array.from({ length: 120 }, (_, index) => session.standIn.member(`resume${index}`));
		const records = voters.slice(0, 60).map((voter) => session.standIn.click(voter, message, voteId(message, 0)));
		session.standIn.requestReconnect(0);
		records.push(...voters.slice(60, 90).map((voter) => session.standIn.click(voter, message, voteId(message, 1))));
		session.standIn.dropConnection(0, 4000);
		records.push(...voters.slice(90).map((voter) => session.standIn.click(voter, message, voteId(message, 1))));
		const outputs = await Promise.all(records.map((record) => session.standIn.settle(record, 20)));
		for (const list of outputs)
			expect(list.filter((output) => output.kind === 'reply' || output.kind === 'defer')).toHaveLength(1);
		expect(outputs.every((list) => list[0]?.message?.content?.startsWith('Recorded:'))).toBe(true);
		expect(
			await session.standIn.waitFor(() => liveCounts(card(session, 'Reconnect poll')).join() === '60,60', 15_000),
		).toBe(true);
		expect(session.standIn.violations.slice(violationsBefore).map((violation) => violation.detail)).toEqual([]);
	}, 40_000);

	it('a poll due in 32 days closes on time, never early: no timer longer than 24.8 days is ever set', async () => {
		const spy = vi.spyOn(globalThis, 'setTimeout');
		await session.run('/poll start question:"Long poll" style:yes-no duration:32d');
		expect(spy.mock.calls.every(([, delay]) => (delay ?? 0) <= MAX_TIMER_MS)).toBe(true);
		await session.run('as erin click Yes');
		await session.run('advance 25d');
		expect(JSON.stringify(card(session, 'Long poll').embeds)).not.toContain('Closed:');
		await session.run('advance 6d');
		expect(JSON.stringify(card(session, 'Long poll').embeds)).not.toContain('Closed:');
		await session.run(`advance ${DAY / 3_600_000 + 1}h`);
		expect(JSON.stringify(card(session, 'Long poll').embeds)).toContain('Closed: Long poll');
	});

	it('limits how often one member can make the bot draw a new picture, and says how long to wait', async () => {
		// A new picture is drawn in the chart pool, so its answer is deferred first and then filled in.
		const pictures = (result: { outputs: readonly { message: { attachments: readonly unknown[] } | null }[] }) =>
			result.outputs.filter((output) => output.message !== null).at(-1)?.message?.attachments.length ?? 0;
		const filters = ['from:1992', 'from:1994', 'from:2005', 'from:2007', 'from:2012'];
		const results = [];
		for (const filter of filters) results.push(await session.run(`as fiona /deals ${filter}`));
		expect(results.slice(0, 4).map(pictures)).toEqual([1, 1, 1, 1]);
		expect(results[4]?.text).toMatch(
			/You've asked for a new timeline picture 4 times in the last 60 seconds\. Please wait \d+ s/,
		);
		expect(pictures(await session.run('as george /deals from:2012'))).toBe(1);
		expect(pictures(await session.run('as fiona /deals from:1992'))).toBe(1);
		await session.run('advance 61s');
		expect(pictures(await session.run('as fiona /deals from:2018'))).toBe(1);
	});
});
