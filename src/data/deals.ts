import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CAMPS, Deal } from './deal-schema.js';
import { loadPublishers, type PublisherRegistry, sourcePolicyProblems } from './publishers.js';

export const DEFAULT_DEALS_DIR = fileURLToPath(new URL('../../data/deals', import.meta.url));

import { DataError, describeIssues, readJson } from './load-json.js';

export { DataError, describeIssues, readJson };

/**
 * Loads every `*.json` deal in `dir`, validates each against the schema and then checks the deals against
 * each other: the file is named after its id, ids are unique, and no alias is claimed twice or collides
 * with another deal's id or name (case-insensitive), every source complies with the source policy (data/publishers.json),
 * and nobody speaks for one camp in one deal and the other camp in another. Every problem in every file is collected and thrown
 * as one DataError, so a curator fixes a batch in one pass. Returns the deals in date order.
 */
export function loadDeals(
	dir: string = DEFAULT_DEALS_DIR,
	publishers: PublisherRegistry = loadPublishers(),
): readonly Deal[] {
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

	for (const { file, deal } of loaded) problems.push(...dealSourceProblems(file, deal, publishers));
	problems.push(...crossCheck(loaded));
	if (problems.length > 0) throw new DataError(`Deals in ${dir}`, problems);

	return loaded
		.map(({ deal }) => deal)
		.sort((a, b) => a.date.start.localeCompare(b.date.start) || a.id.localeCompare(b.id));
}

function crossCheck(loaded: readonly { file: string; deal: Deal }[]): string[] {
	const problems: string[] = [...campVoiceProblems(loaded)];
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

/** Primary links open the text itself or an official statement: only primary and archive publishers qualify. */
const PRIMARY_KINDS = new Set(['primary', 'archive']);

/** Source-policy problems of one deal: every source, and the publishers its "Read the primary text" links open. */
export function dealSourceProblems(file: string, deal: Deal, publishers: PublisherRegistry): string[] {
	const problems: string[] = [];
	for (const source of deal.sources) {
		for (const problem of sourcePolicyProblems(source, publishers))
			problems.push(`${file}: sources.${source.key}: ${problem}`);
	}
	const linked =
		deal.primary.kind === 'text' ? [deal.primary.source] : deal.primary.statements.map((statement) => statement.source);
	for (const key of linked) {
		const source = deal.sources.find((candidate) => candidate.key === key);
		const publisher = source ? publishers.byId.get(source.publisher) : undefined;
		if (publisher && !PRIMARY_KINDS.has(publisher.kind))
			problems.push(
				`${file}: primary: ${key} is ${publisher.name} (${publisher.kind}); the primary link must open a primary or archive page`,
			);
	}
	return problems;
}

/** Camp voices across every deal: a name that argues for pressure somewhere never argues for compromise elsewhere. */
export function campVoiceProblems(loaded: readonly { file: string; deal: Deal }[]): string[] {
	const camps = new Map<string, { camp: string; file: string }>();
	const problems: string[] = [];
	for (const { file, deal } of loaded) {
		for (const camp of CAMPS) {
			for (const point of deal.cases[camp].points) {
				const name = point.voice.name.toLowerCase();
				const seen = camps.get(name);
				if (seen && seen.camp !== camp)
					problems.push(`${file}: ${point.voice.name} speaks for ${camp} here and for ${seen.camp} in ${seen.file}`);
				else if (!seen) camps.set(name, { camp, file });
			}
		}
	}
	return problems;
}
