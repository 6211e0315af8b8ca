import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError, describeIssues, readJson } from './load-json.js';
import { Positions } from './positions-schema.js';

export const DEFAULT_POSITIONS_PATH = fileURLToPath(new URL('../../data/positions.json', import.meta.url));

/** Loads the general "both cases" file; every problem is thrown as one DataError. */
export function loadPositions(path: string = DEFAULT_POSITIONS_PATH): Positions {
	const problems: string[] = [];
	const json = readJson(path, problems);
	if (json === undefined) throw new DataError(`Positions in ${path}`, problems);
	const parsed = Positions.safeParse(json);
	if (!parsed.success) throw new DataError(`Positions in ${path}`, describeIssues(basename(path), parsed.error.issues));
	return parsed.data;
}
