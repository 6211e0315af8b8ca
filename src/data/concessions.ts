import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CONCESSION_IDS, ConcessionCatalog, DPRK_CONCESSION_IDS, US_CONCESSION_IDS } from './concession-schema.js';

export const DEFAULT_CONCESSIONS_PATH = fileURLToPath(new URL('../../data/concessions.json', import.meta.url));

/** What people type is matched case- and space-insensitively, so uniqueness is checked on this form. */
export function normalizeAlias(text: string): string {
	return text.trim().toLowerCase().replace(/\s+/g, ' ');
}

/** Rules zod cannot express per field: the id set, fixed givers, alias uniqueness and source links. */
function crossCheck(catalog: ConcessionCatalog): string[] {
	const problems: string[] = [];
	const seenIds = new Set<string>();
	for (const entry of catalog.concessions) {
		if (seenIds.has(entry.id)) problems.push(`concession "${entry.id}" appears more than once`);
		seenIds.add(entry.id);
	}
	for (const id of CONCESSION_IDS) if (!seenIds.has(id)) problems.push(`concession "${id}" is missing`);

	const dprkIds: readonly string[] = DPRK_CONCESSION_IDS;
	const usIds: readonly string[] = US_CONCESSION_IDS;
	for (const entry of catalog.concessions) {
		const expected = dprkIds.includes(entry.id) ? 'dprk' : usIds.includes(entry.id) ? 'us' : undefined;
		if (expected !== entry.giver)
			problems.push(`concession "${entry.id}" must be given by "${expected}", not "${entry.giver}"`);
	}

	// Every name, id and alias must point at one concession, or a typed phrase would be ambiguous.
	const owners = new Map<string, string>();
	for (const entry of catalog.concessions) {
		const phrases = new Set([entry.id, entry.name, ...entry.aliases].map(normalizeAlias));
		for (const phrase of phrases) {
			const owner = owners.get(phrase);
			if (owner !== undefined && owner !== entry.id) {
				problems.push(`"${phrase}" names both "${owner}" and "${entry.id}"`);
			} else owners.set(phrase, entry.id);
		}
	}

	const sourceKeys = new Set<string>();
	for (const source of catalog.sources) {
		if (sourceKeys.has(source.key)) problems.push(`source "${source.key}" is listed more than once`);
		sourceKeys.add(source.key);
	}
	const cited = new Set<string>();
	for (const entry of catalog.concessions) {
		for (const key of entry.sources) {
			cited.add(key);
			if (!sourceKeys.has(key)) problems.push(`concession "${entry.id}" cites unknown source "${key}"`);
		}
		for (const deal of entry.reportedIn) {
			if (!entry.deals.includes(deal)) {
				problems.push(`concession "${entry.id}" marks "${deal}" as reported but does not list it in deals`);
			}
		}
		if (new Set(entry.deals).size !== entry.deals.length) problems.push(`concession "${entry.id}" lists a deal twice`);
	}
	for (const key of sourceKeys) if (!cited.has(key)) problems.push(`source "${key}" is never cited`);
	return problems;
}

/** Validates raw catalog data; throws one Error that lists every problem found. */
export function parseConcessionCatalog(raw: unknown, origin = 'concession catalog'): ConcessionCatalog {
	const result = ConcessionCatalog.safeParse(raw);
	if (!result.success) throw new Error(`Invalid ${origin}:\n${z.prettifyError(result.error)}`);
	const problems = crossCheck(result.data);
	if (problems.length > 0)
		throw new Error(`Invalid ${origin}:\n${problems.map((problem) => `✖ ${problem}`).join('\n')}`);
	return result.data;
}

export function loadConcessions(path: string = DEFAULT_CONCESSIONS_PATH): ConcessionCatalog {
	let raw: unknown;
	try {
		raw = JSON.parse(readFileSync(path, 'utf8'));
	} catch (error) {
		throw new Error(
			`Cannot read the concession catalog at ${path}: ${error instanceof Error ? error.message : String(error)}`,
		);
	}
	return parseConcessionCatalog(raw, `concession catalog ${path}`);
}
