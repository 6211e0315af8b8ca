import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Deal } from './deal-schema.js';

export const DEFAULT_DEALS_DIR = fileURLToPath(new URL('../../data/deals', import.meta.url));

/** Curated data failed validation. `problems` holds one line per problem, each naming its file. */
export class DataError extends Error {
	readonly problems: readonly string[];

	constructor(what: string, problems: readonly string[]) {
		super(`${what}: ${problems.length} problem(s)\n${problems.map((problem) => `- ${problem}`).join('\n')}`);
		this.name = 'DataError';
		this.problems = problems;
	}
}

/** Formats zod issues as `file: path: message` lines. */
export function describeIssues(
	file: string,
	issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[],
): string[] {
	return issues.map((issue) => {
		const path = issue.path.map(String).join('.');
		return `${file}: ${path === '' ? '(root)' : path}: ${issue.message}`;
	});
}

/** Reads and parses a JSON file; a read or syntax failure becomes a problem line instead of a throw. */
export function readJson(path: string, problems: string[]): unknown {
	const file = basename(path);
	let raw: string;
	try {
		raw = readFileSync(path, 'utf8');
	} catch (error) {
		problems.push(`${file}: cannot be read (${error instanceof Error ? error.message : String(error)})`);
		return undefined;
	}
	try {
		return JSON.parse(raw);
	} catch (error) {
		problems.push(`${file}: invalid JSON (${error instanceof Error ? error.message : String(error)})`);
		return undefined;
	}
}

/**
 * Loads every `*.json` deal in `dir`, validates each against the schema and then checks the deals against
 * each other: the file is named after its id, ids are unique, and no alias is claimed twice or collides
 * with another deal's id or name (case-insensitive). Every problem in every file is collected and thrown
 * as one DataError, so a curator fixes a batch in one pass. Returns the deals in date order.
 */
export function loadDeals(dir: string = DEFAULT_DEALS_DIR): readonly Deal[] {
	const problems: string[] = [];
	let files: string[];
	try {
		files = readdirSync(dir)
			.filter((name) => name.endsWith('.json'))
			.sort();
	} catch (error) {
		throw new DataError(`Deals in ${dir}`, [
			`${dir}: cannot be read (${error instanceof Error ? error.message : String(error)})`,
		]);
	}
	if (files.length === 0) throw new DataError(`Deals in ${dir}`, [`${dir}: no deal files (*.json)`]);

	const loaded: { file: string; deal: Deal }[] = [];
	for (const file of files) {
		const json = readJson(join(dir, file), problems);
		if (json === undefined) continue;
		const parsed = Deal.safeParse(json);
		if (!parsed.success) {
			problems.push(...describeIssues(file, parsed.error.issues));
			continue;
		}
		if (file !== `${parsed.data.id}.json`) {
			problems.push(`${file}: file name must be "${parsed.data.id}.json" to match the id`);
		}
		loaded.push({ file, deal: parsed.data });
	}

	problems.push(...crossCheck(loaded));
	if (problems.length > 0) throw new DataError(`Deals in ${dir}`, problems);

	return loaded
		.map(({ deal }) => deal)
		.sort((a, b) => a.date.start.localeCompare(b.date.start) || a.id.localeCompare(b.id));
}

function crossCheck(loaded: readonly { file: string; deal: Deal }[]): string[] {
	const problems: string[] = [];
	const idOwner = new Map<string, string>();
	for (const { file, deal } of loaded) {
		const owner = idOwner.get(deal.id);
		if (owner) problems.push(`${file}: id "${deal.id}" is already used by ${owner}`);
		else idOwner.set(deal.id, file);
	}

	// A typed name resolves to exactly one deal, so an alias may not equal another deal's id, name or alias.
	const nameOwner = new Map<string, { file: string; id: string; what: string }>();
	for (const { file, deal } of loaded) {
		for (const [what, value] of [
			['id', deal.id],
			['name', deal.name],
		] as const) {
			const key = value.toLowerCase();
			if (!nameOwner.has(key)) nameOwner.set(key, { file, id: deal.id, what });
		}
	}
	const aliasOwner = new Map<string, { file: string; id: string }>();
	for (const { file, deal } of loaded) {
		for (const alias of deal.aliases) {
			const key = alias.toLowerCase();
			const named = nameOwner.get(key);
			if (named && named.id !== deal.id) {
				problems.push(`${file}: alias "${alias}" equals the ${named.what} of ${named.file}`);
			}
			const claimed = aliasOwner.get(key);
			if (claimed && claimed.id !== deal.id) {
				problems.push(`${file}: alias "${alias}" is also an alias of ${claimed.file}`);
			} else if (!claimed) {
				aliasOwner.set(key, { file, id: deal.id });
			}
		}
	}
	return problems;
}
