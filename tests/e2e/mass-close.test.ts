import { Resvg } from '@resvg/resvg-js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TrySession } from '../../src/local/session.js';
import type { MessageState } from '../../src/local/standin/state.js';
import { createLogger } from '../../src/logger.js';
import { DEFAULT_CONCURRENT_CLOSES } from '../../src/polls/service.js';
import { openStore } from '../../src/store/keyv.js';
import { createPollStore } from '../../src/store/polls.js';
import { openVoteKey } from '../../src/store/vote-key.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const HOUR = 3_600_000;
const POLLS = 24;

function card(session: TrySession, question: string): MessageState {
	const found = [...session.standIn.messages.values()].find(
		(message) => message.visibleTo === null && (message.embeds as { title?: string }[])[0]?.title === question,
	);
	if (!found) throw new Error(`no card for ${question}`);
	return found;
}

/**
 * Polls that all fell due while the bot was down close together at startup: each is closed exactly once, and every
 * result chart is drawn by the worker pool, never on the thread that answers interactions.
 */
describe('mass close after downtime', () => {
	let session: TrySession;
	beforeAll(async () => {
		session = await TrySession.start({ logLevel: 'warn' });
	});
	afterAll(async () => {
		vi.restoreAllMocks();
		await session.stop();
	});

	it('closes every due poll exactly once, with charts rendered by the pool and not on the main thread', async () => {
		const questions = Array.from({ length: POLLS }, (_, index) => `Due poll ${index + 1}`);
		for (const question of questions) {
			const started = await session.run(`/poll start question:"${question}" style:yes-no duration:30m`);
			expect(started.error ?? 'ok').toBe('ok');
		}
		const cards = questions.map((question) => card(session, question));
		for (const [index, message] of cards.entries()) {
			const yes = (message.components as { components: { label: string; custom_id: string }[] }[])[0]?.components[0];
			for (let voter = 0; voter <= index % 3; voter++)
				await session.standIn.settle(
					session.standIn.click(session.standIn.member(`voter${voter}`), message, yes?.custom_id ?? ''),
				);
		}

		await session.running.stop('test: the bot is down while every poll falls due');
		session.clock.advance(HOUR);
		// Any rasterisation on this thread (the one that acknowledges interactions) goes through this prototype.
		const onMainThread = vi.spyOn(Resvg.prototype, 'render');
		await session.restart();
		await session.running.ctx.polls.settled();
		await session.quiet();

		for (const [index, question] of questions.entries()) {
			const message = session.standIn.messages.get(cards[index]?.id ?? '');
			if (!message) throw new Error(`the card of ${question} is gone`);
			const closeEdits = session.standIn.outputs.filter(
				(output) =>
					output.kind === 'channel-edit' &&
					output.message?.id === message.id &&
					JSON.stringify(output.message.embeds).includes('Closed:'),
			);
			expect(closeEdits, question).toHaveLength(1);
			const chart = message.attachments[0];
			expect(chart?.filename, question).toMatch(/^poll-.+-results\.png$/);
			expect(chart?.data.subarray(0, 8).equals(PNG_SIGNATURE), question).toBe(true);
			expect(JSON.stringify(message.embeds), question).toContain(`**Yes** — ${(index % 3) + 1} (100%)`);
		}
		expect(onMainThread).not.toHaveBeenCalled();
		// Bounded: the 24 closes ran a few at a time, not all at once.
		expect(session.running.ctx.polls.closeStats).toEqual({ running: 0, queued: 0, peak: DEFAULT_CONCURRENT_CLOSES });
		expect(session.errors).toEqual([]);

		// The store agrees: every poll closed with its final counts, none left in the open index.
		await session.running.stop('test: read the store');
		const logger = createLogger({ level: 'silent', secrets: [] });
		const store = await openStore(session.config.STORE_URL, logger);
		try {
			const polls = createPollStore(store, await openVoteKey(store, {}, logger));
			const guildId = session.standIn.defaultGuild.id;
			expect(await polls.openPolls([guildId])).toEqual([]);
			const listed = await polls.guildPolls(guildId);
			const due = listed.filter((entry) => questions.includes(entry.question));
			expect(due).toHaveLength(POLLS);
			for (const entry of due) {
				const stored = await polls.getPoll(entry.id);
				expect(stored?.status).toBe('closed');
				expect(stored?.closedBy).toBe('deadline');
			}
		} finally {
			await store.close();
			await session.restart();
		}
	});
});
