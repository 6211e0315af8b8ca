// Entry point of the chart pool's worker threads. A worker thread does not share its parent's module loader: under
// vitest the parent's TypeScript transform is not there at all, and under `node --import tsx` (npm start) a worker
// cannot import .ts either. Loading the renderer through tsx's own API works in every one of those hosts.
import { setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

// On Linux each thread has its own nice value: drawing then yields the CPU to the thread that answers interactions
// whenever both want it (elsewhere this call would lower the whole process, so it is left out).
if (!isMainThread && process.platform === 'linux') {
	try {
		setPriority(10);
	} catch {
		// Not permitted in some containers; charts are then drawn at normal priority.
	}
}

const loaded = await tsImport('./chart-task.ts', import.meta.url);
const renderChart = loaded.default;
if (typeof renderChart !== 'function') throw new Error('src/render/chart-task.ts has no default export to run');

export default renderChart;
