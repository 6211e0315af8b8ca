// Entry point of the chart pool's worker threads. A worker thread does not share its parent's module loader: under
// vitest the parent's TypeScript transform is not there at all, and `node --import tsx` (npm start) passes its flag on
// but nothing guarantees more. Loading the renderer through tsx's own API works in every one of those hosts.
import { tsImport } from 'tsx/esm/api';

const loaded = await tsImport('./chart-task.ts', import.meta.url);
const renderChart = loaded.default;
if (typeof renderChart !== 'function') throw new Error('src/render/chart-task.ts has no default export to run');

export default renderChart;
