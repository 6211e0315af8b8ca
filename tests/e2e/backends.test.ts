import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrySession } from '../../src/local/session.js';
import { BACKENDS, freshNamespace } from '../support/backends.js';

for (const backend of BACKENDS) {
	const url = backend.url(join(tmpdir(), `parley-backend-${process.pid}.sqlite`));
	describe.skipIf(url === null)(`every feature on ${backend.name}`, () => {
		let session: TrySession;
		beforeAll(async () => {
			session = await TrySession.start({ storeUrl: url ?? '', storeNamespace: freshNamespace(), logLevel: 'warn' });
		});
		afterAll(async () => {
			await session.running.ctx.store.keyv.clear();
			await session.stop();
		});

		it('polls: votes, a changed vote across a restart, and the close at the deadline', async () => {
			const steps = [
				'/poll start question:"Backend poll" duration:1h',
				'as alice click Pressure',
				'as bob click Compromise',
				'as carol click Pressure',
				'restart',
				'as carol click Compromise',
				'advance 2h',
			];
			const results = [];
			for (const step of steps) results.push(await session.run(step));
			expect(results.map((result) => result.error ?? 'ok')).toEqual(steps.map(() => 'ok'));
			expect(results[6]?.text).toContain('**Pressure** — 1 (33%)');
			expect(results[6]?.text).toContain('**Compromise** — 2 (67%)');
		});

		it('server weights reach /balance; /deal and /deals work', async () => {
			await session.run('/weights set concession:"food aid" cost:8');
			expect((await session.run('/balance deal:leapday')).text).toContain('Food aid — costs it 8');
			expect((await session.run('/deal leapday')).text).toContain('240,000 metric tons');
			const deals = await session.run('/deals');
			expect(deals.outputs.filter((output) => output.message !== null).at(-1)?.message?.attachments).toHaveLength(1);
			expect(session.standIn.violations).toEqual([]);
		});
	});
}
