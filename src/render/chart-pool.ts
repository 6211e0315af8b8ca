import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { ChartTask } from './chart-task.js';
import type { PollChartInput } from './poll-chart.js';
import type { TimelineItem, TimelineOptions } from './timeline.js';

/** Draws Parley's pictures off the event loop. `close` waits for drawings under way and stops the threads. */
export interface ChartRenderer {
	pollChart(input: PollChartInput): Promise<Buffer>;
	timeline(items: readonly TimelineItem[], options?: TimelineOptions): Promise<Buffer>;
	close(): Promise<void>;
}

export interface ChartPoolOptions {
	/** Worker threads at most (default: one less than the CPUs, 1 to 4). */
	readonly maxThreads?: number;
	/** An idle thread exits after this long, so a quiet bot holds no renderer memory (default 30 s). */
	readonly idleTimeoutMs?: number;
}

/** Leaves one CPU to the event loop that answers interactions; a chart is never worth delaying a vote for. */
export function defaultChartThreads(): number {
	return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/**
 * A piscina pool of worker threads running src/render/chart-task.ts. Threads start on the first chart (none while
 * nobody asks for one) and stop when idle. Tasks beyond the threads wait in the pool's queue; the poll service
 * bounds how many closes (each one chart) run at once, and /deals renders are rate-limited per member.
 */
export function createChartPool(options: ChartPoolOptions = {}): ChartRenderer {
	const pool = new Piscina<ChartTask, Uint8Array>({
		filename: new URL('./chart-worker.mjs', import.meta.url).href,
		minThreads: 0,
		maxThreads: options.maxThreads ?? defaultChartThreads(),
		idleTimeout: options.idleTimeoutMs ?? 30_000,
		// Workers wait for tasks on their event loop rather than blocked in Atomics.wait, so the finalisers that free
		// resvg's native memory get to run between charts (see chart-task.ts).
		atomics: 'disabled',
	});
	const run = async (task: ChartTask): Promise<Buffer> => {
		const png: unknown = await pool.run(task);
		if (!(png instanceof Uint8Array)) throw new TypeError('the chart worker returned something other than PNG bytes');
		return Buffer.from(png.buffer, png.byteOffset, png.byteLength);
	};
	let closing: Promise<void> | undefined;
	return {
		pollChart: (input) => run({ kind: 'poll-chart', input }),
		timeline: (items, timelineOptions = {}) => run({ kind: 'timeline', items: [...items], options: timelineOptions }),
		close() {
			closing ??= pool.close();
			return closing;
		},
	};
}
