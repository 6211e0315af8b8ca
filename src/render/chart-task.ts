import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isMainThread } from 'node:worker_threads';
import { move } from 'piscina';
import { type PollChartInput, renderPollChartPng } from './poll-chart.js';
import { renderTimelinePng, type TimelineItem, type TimelineOptions } from './timeline.js';

/** One picture for the chart pool to draw: plain data, so it crosses to a worker thread by structured clone. */
export type ChartTask =
	| { readonly kind: 'poll-chart'; readonly input: PollChartInput }
	| { readonly kind: 'timeline'; readonly items: readonly TimelineItem[]; readonly options: TimelineOptions };

/**
 * resvg's native objects (the parsed SVG, its fonts and a pixmap 1,200 px wide: about 3 MB a chart) are freed only
 * when V8 has collected their small JavaScript wrappers and the thread's event loop has run their finalisers. A
 * thread that does nothing but draw allocates too little JavaScript for V8 to collect on its own: measured, 300
 * charts in a row left 1.1 GB resident (3.5 GB at the end of a 1,000-poll mass close). A full collection after each
 * chart (under 1 ms in this small heap) plus an event loop that turns between tasks (the pool runs without atomics)
 * kept the same 300 charts at about 200 MB. Only in a pool thread: the main thread collects often enough by itself.
 */
function threadCollector(): () => void {
	if (isMainThread) return () => {};
	setFlagsFromString('--expose-gc');
	const collect: unknown = runInNewContext('gc');
	return typeof collect === 'function' ? () => collect({ type: 'major', execution: 'sync' }) : () => {};
}
const collectGarbage = threadCollector();

/**
 * Runs in a worker thread of the chart pool (src/render/chart-worker.mjs loads it): layout and rasterisation, about
 * 60 ms of CPU a chart, happen here and never on the thread that acknowledges interactions. The PNG is copied into
 * a buffer of its own, which is moved (not copied again) to the main thread.
 */
export default function renderChart(task: ChartTask): Uint8Array {
	const png = task.kind === 'poll-chart' ? renderPollChartPng(task.input) : renderTimelinePng(task.items, task.options);
	const own = new Uint8Array(png);
	collectGarbage();
	return move(own) as Uint8Array;
}
