import { describe, expect, it } from 'vitest';
import { CloseQueue } from '../../src/polls/close-queue.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('CloseQueue', () => {
	it('runs at most `limit` closes at once, in the order they were queued, each poll once', async () => {
		const queue = new CloseQueue(3);
		let running = 0;
		let peak = 0;
		const order: string[] = [];
		const release: (() => void)[] = [];
		const task = (id: string) => async () => {
			running += 1;
			peak = Math.max(peak, running);
			order.push(id);
			await new Promise<void>((resolve) => release.push(resolve));
			running -= 1;
		};
		const ids = Array.from({ length: 10 }, (_, index) => `p${index}`);
		const done = ids.map((id) => queue.add(id, task(id)));
		expect(queue.add('p4', task('again'))).toBeNull();
		await tick();
		expect(queue.stats).toEqual({ running: 3, queued: 7, peak: 3 });
		while (order.length < ids.length || release.length > 0) {
			release.shift()?.();
			await tick();
		}
		await Promise.all(done);
		expect(peak).toBe(3);
		expect(order).toEqual(ids);
		expect(queue.stats).toEqual({ running: 0, queued: 0, peak: 3 });
		// Once a poll's close has finished it may be queued again (a failed close is retried by the sweep).
		await queue.add('p4', async () => {});
	});

	it('frees the slot of a close that failed', async () => {
		const queue = new CloseQueue(1);
		await expect(queue.add('a', () => Promise.reject(new Error('store down')))).rejects.toThrow('store down');
		let ran = false;
		await queue.add('b', async () => {
			ran = true;
		});
		expect(ran).toBe(true);
	});
});
