import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrySession } from '../../src/local/session.js';
import type { UserState } from '../../src/local/standin/state.js';
import { BACKENDS, freshNamespace } from '../support/backends.js';

const TRIES = 20;

for (const backend of BACKENDS) {
	const url = backend.url(join(tmpdir(), `parley-weights-${process.pid}.sqlite`));
	describe.skipIf(url === null)(`/weights set by two moderators at the same moment on ${backend.name}`, () => {
		let session: TrySession;
		beforeAll(async () => {
			session = await TrySession.start({ storeUrl: url ?? '', storeNamespace: freshNamespace(), logLevel: 'warn' });
		});
		afterAll(async () => {
			await session.running.ctx.store.keyv.clear();
			await session.stop();
		});

		const weights = (moderator: UserState, subcommand: string, options: Record<string, string> = {}) =>
			session.standIn.command(moderator, { name: 'weights', subcommand, options });

		/** /weights answers at once (no defer), so a short quiet period is enough. */
		const answer = (record: ReturnType<typeof weights>) => session.standIn.settle(record, 10);

		async function show(moderator: UserState): Promise<string> {
			const [reply] = await answer(weights(moderator, 'show'));
			return reply?.message?.content ?? '';
		}

		it(`keeps both changes to different concessions, ${TRIES} tries out of ${TRIES}`, async () => {
			const { standIn } = session;
			const ana = standIn.member('ana', standIn.defaultGuild, ['Moderator']);
			const ben = standIn.member('ben', standIn.defaultGuild, ['Moderator']);
			let kept = 0;
			for (let attempt = 0; attempt < TRIES; attempt++) {
				await answer(weights(ana, 'reset'));
				// Different numbers each try, never a concession's default (a default is not listed as a change).
				const cost = 3 + (attempt % 8);
				const value = 6 + (attempt % 5);
				// Both commands reach the bot before either is answered, as when two moderators press Enter together.
				const both = [
					weights(ana, 'set', { concession: 'food aid', cost: String(cost) }),
					weights(ben, 'set', { concession: 'Freeze Yongbyon', value: String(value) }),
				];
				const replies = await Promise.all(both.map((record) => answer(record)));
				expect(replies.map((outputs) => outputs[0]?.message?.content ?? '')).toEqual([
					expect.stringContaining('set this server’s weights for **Food aid**'),
					expect.stringContaining('set this server’s weights for **Freeze Yongbyon**'),
				]);
				const listed = await show(ana);
				const food = listed.includes(`**Food aid**: cost ${cost} (default 2)`);
				const freeze = listed.includes(`**Freeze Yongbyon**: cost 4 (default 4), value ${value} (default 5)`);
				if (food && freeze) kept += 1;
			}
			// Before: each command read the server's one weights record and wrote it back whole, so the later write
			// dropped the earlier moderator's change every time (0 of 20 kept both).
			expect(kept).toBe(TRIES);
			expect(standIn.violations).toEqual([]);
			expect(session.errors).toEqual([]);
		});

		it('keeps a cost and a value set on the same concession at the same moment', async () => {
			const { standIn } = session;
			const ana = standIn.member('ana', standIn.defaultGuild, ['Moderator']);
			const ben = standIn.member('ben', standIn.defaultGuild, ['Moderator']);
			let kept = 0;
			for (let attempt = 0; attempt < TRIES; attempt++) {
				await answer(weights(ana, 'reset'));
				const both = [
					weights(ana, 'set', { concession: 'Disable Yongbyon', cost: '9' }),
					weights(ben, 'set', { concession: 'Disable Yongbyon', value: '2' }),
				];
				await Promise.all(both.map((record) => answer(record)));
				if ((await show(ana)).includes('**Disable Yongbyon**: cost 9 (default 5), value 2 (default 6)')) kept += 1;
			}
			expect(kept).toBe(TRIES);
		});

		it('a reset of one concession at the same moment as a change to another keeps the change', async () => {
			const { standIn } = session;
			const ana = standIn.member('ana', standIn.defaultGuild, ['Moderator']);
			const ben = standIn.member('ben', standIn.defaultGuild, ['Moderator']);
			let kept = 0;
			for (let attempt = 0; attempt < TRIES; attempt++) {
				await answer(weights(ana, 'reset'));
				await answer(weights(ana, 'set', { concession: 'food aid', cost: '7' }));
				const both = [
					weights(ana, 'reset', { concession: 'food aid' }),
					weights(ben, 'set', { concession: 'Freeze Yongbyon', cost: '8' }),
				];
				await Promise.all(both.map((record) => answer(record)));
				const listed = await show(ana);
				if (!listed.includes('**Food aid**') && listed.includes('**Freeze Yongbyon**: cost 8 (default 4)')) kept += 1;
			}
			expect(kept).toBe(TRIES);
		});
	});
}
