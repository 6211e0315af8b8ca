import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

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
