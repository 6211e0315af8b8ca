import { move } from 'piscina';
import { type PollChartInput, renderPollChartPng } from './poll-chart.js';
import { renderTimelinePng, type TimelineItem, type TimelineOptions } from './timeline.js';

/** One picture for the chart pool to draw: plain data, so it crosses to a worker thread by structured clone. */
export type ChartTask =
	| { readonly kind: 'poll-chart'; readonly input: PollChartInput }
	| { readonly kind: 'timeline'; readonly items: readonly TimelineItem[]; readonly options: TimelineOptions };

/**
 * Runs in a worker thread of the chart pool (src/render/chart-worker.mjs loads it): layout and rasterisation, about
 * 60 ms of CPU a chart, happen here and never on the thread that acknowledges interactions. The PNG is copied into
 * a buffer of its own, which is moved (not copied again) to the main thread.
 */
export default function renderChart(task: ChartTask): Uint8Array {
	const png = task.kind === 'poll-chart' ? renderPollChartPng(task.input) : renderTimelinePng(task.items, task.options);
	return move(new Uint8Array(png)) as Uint8Array;
}
