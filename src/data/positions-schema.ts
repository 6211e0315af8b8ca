import { z } from 'zod';
import { CAMPS, SourceEntry, SourceKeys } from './deal-schema.js';

const text = (max: number) => z.string().trim().min(1).max(max);

export const CasePoint = z
	.object({
		text: text(200),
		/** Who argues it: a named person or institution, never the bot itself. */
		attribution: text(120),
		sources: SourceKeys,
	})
	.strict();
export type CasePoint = z.infer<typeof CasePoint>;

/** One side's argument: a summary in our own words and 1–3 attributed, sourced points. */
export const Case = z
	.object({
		summary: text(500),
		points: z.array(CasePoint).min(1).max(3),
	})
	.strict();
export type Case = z.infer<typeof Case>;

/** "Both cases": pressure and compromise, always together so neither can be shown alone by accident. */
export const BothCases = z.object({ pressure: Case, compromise: Case }).strict();
export type BothCases = z.infer<typeof BothCases>;

export const PositionsBody = z
	.object({
		schemaVersion: z.literal(1),
		general: BothCases,
		deals: z.record(z.string().regex(/^[a-z]+\d{4}$/, 'deal id'), BothCases),
		sources: z.array(SourceEntry).min(1),
	})
	.strict();

/** Every source key the file cites, with the JSON path of the citing point. */
export function citedPositionKeys(positions: z.infer<typeof PositionsBody>): { path: string; key: string }[] {
	const cited: { path: string; key: string }[] = [];
	const add = (path: string, both: BothCases) => {
		for (const camp of CAMPS) {
			both[camp].points.forEach((point, index) => {
				for (const key of point.sources) cited.push({ path: `${path}.${camp}.points[${index}].sources`, key });
			});
		}
	};
	add('general', positions.general);
	for (const [dealId, both] of Object.entries(positions.deals)) add(`deals.${dealId}`, both);
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
});
export type Positions = z.infer<typeof Positions>;
