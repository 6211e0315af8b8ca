import { z } from 'zod';
import { BothCases, CAMPS, SourceEntry } from './deal-schema.js';

/**
 * The general "both cases" (pressure or compromise, not tied to one deal), shown with polls that link no deal. Each
 * deal's own cases live in its deal file.
 */
export const PositionsBody = z
	.object({
		schemaVersion: z.literal(2),
		general: BothCases,
		sources: z.array(SourceEntry).min(1),
	})
	.strict();

/** Every source key the file cites, with the JSON path of the citing point. */
export function citedPositionKeys(positions: z.infer<typeof PositionsBody>): { path: string; key: string }[] {
	const cited: { path: string; key: string }[] = [];
	for (const camp of CAMPS) {
		positions.general[camp].points.forEach((point, index) => {
			for (const key of point.sources) cited.push({ path: `general.${camp}.points[${index}].sources`, key });
		});
	}
	return cited;
}

/** The positions file. Source keys must resolve, be listed once and each be cited at least once. */
export const Positions = PositionsBody.superRefine((positions, context) => {
	const issue = (path: string, message: string) =>
		context.addIssue({ code: 'custom', path: [path], message, input: positions });
	const keys = positions.sources.map((source) => source.key);
	const known = new Set<string>();
	for (const key of keys) {
		if (known.has(key)) issue('sources', `source key "${key}" is listed more than once`);
		known.add(key);
	}
	const cited = citedPositionKeys(positions);
	for (const { path, key } of cited) {
		if (!known.has(key)) issue(path, `cites unknown source "${key}"`);
	}
	const used = new Set(cited.map(({ key }) => key));
	for (const key of keys) {
		if (!used.has(key)) issue('sources', `source "${key}" is listed but never cited`);
	}
	const pressure = new Set(positions.general.pressure.points.map((point) => point.voice.name.toLowerCase()));
	for (const point of positions.general.compromise.points) {
		if (pressure.has(point.voice.name.toLowerCase()))
			issue('general', `${point.voice.name} cannot speak for both camps`);
	}
});
export type Positions = z.infer<typeof Positions>;
