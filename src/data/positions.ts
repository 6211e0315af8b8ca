import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError, describeIssues, loadDeals, readJson } from './deals.js';
import { Positions } from './positions-schema.js';

export const DEFAULT_POSITIONS_PATH = fileURLToPath(new URL('../../data/positions.json', import.meta.url));

/**
 * Loads the "both cases" file and checks it against the deals: every deal has a pressure and a compromise
 * case, and no entry names a deal that does not exist. `dealIds` defaults to the ids of `loadDeals()`.
 * All problems are collected and thrown as one DataError.
 */
export function loadPositions(
	path: string = DEFAULT_POSITIONS_PATH,
	dealIds: readonly string[] = loadDeals().map((deal) => deal.id),
): Positions {
	const file = basename(path);
	const problems: string[] = [];
	const json = readJson(path, problems);
	if (json === undefined) throw new DataError(`Positions in ${path}`, problems);

	const parsed = Positions.safeParse(json);
	if (!parsed.success) problems.push(...describeIssues(file, parsed.error.issues));

	// Deal coverage is checked even when the schema fails, so one run lists every problem.
	const entries = isRecord(json) && isRecord(json.deals) ? Object.keys(json.deals) : [];
	const known = new Set(dealIds);
	for (const dealId of dealIds) {
		if (!entries.includes(dealId)) problems.push(`${file}: deals.${dealId}: missing (every deal needs both cases)`);
	}
	for (const dealId of entries) {
		if (!known.has(dealId)) problems.push(`${file}: deals.${dealId}: no such deal`);
	}
	if (!parsed.success || problems.length > 0) throw new DataError(`Positions in ${path}`, problems);
	return parsed.data;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
