import type { ConcessionCatalog } from './data/concession-schema.js';
import { loadConcessions } from './data/concessions.js';
import type { Commitment, Deal } from './data/deal-schema.js';
import { DataError, loadDeals } from './data/deals.js';
import { loadPositions } from './data/positions.js';
import type { Positions } from './data/positions-schema.js';
import { loadPublishers, type PublisherRegistry, sourcePolicyProblems } from './data/publishers.js';
import type { PastDeal } from './domain/balance.js';
import { type ConcessionIndex, createConcessionIndex } from './domain/concession-list.js';
import { createDealIndex, type DealIndex } from './domain/deal-lookup.js';
import { createIndex, type FuzzyIndex } from './domain/fuzzy.js';

/** The curated, sourced content Parley serves. Validated when loaded; a bad file stops startup with every problem. */
export interface Library {
	/** Oldest first. */
	readonly deals: readonly Deal[];
	readonly dealById: ReadonlyMap<string, Deal>;
	readonly dealIndex: DealIndex;
	readonly catalog: ConcessionCatalog;
	readonly concessionIndex: ConcessionIndex;
	/** Every concession whichever side gives it, by id, name and alias (for /weights). Built once: it is costly. */
	readonly anyConcessionIndex: FuzzyIndex;
	/** Each past deal's package as concession ids, for /balance precedents and presets. */
	readonly pastDeals: readonly PastDeal[];
	/** The general "both cases"; each deal carries its own. */
	readonly positions: Positions;
	readonly publishers: PublisherRegistry;
}

/**
 * Commitments that count in a deal's package: what was agreed, and what was offered or demanded at talks that produced
 * no deal. One-sided claims and press reports are left out.
 */
const COUNTED_STANCES: ReadonlySet<Commitment['stance']['kind']> = new Set(['agreed', 'offered', 'demanded']);

/**
 * A deal's package: the catalog items its commitments link to, routed to the side that gives each one. Items only
 * one side claimed, or known only from press reports, are left out and listed in `leftOut`.
 */
export function packageOf(deal: Deal, catalog: ConcessionCatalog): PastDeal & { readonly leftOut: readonly string[] } {
	const giver = new Map(catalog.concessions.map((item) => [item.id, item.giver]));
	const counted = deal.commitments.filter((item) => COUNTED_STANCES.has(item.stance.kind));
	const ids = [...new Set(counted.flatMap((item) => (item.concession === null ? [] : [item.concession])))];
	const leftOut = [
		...new Set(
			deal.commitments
				.filter(
					(item) =>
						item.concession !== null && !COUNTED_STANCES.has(item.stance.kind) && !ids.includes(item.concession),
				)
				.map((item) => item.concession ?? ''),
		),
	];
	return {
		id: deal.id,
		name: deal.name,
		year: Number(deal.date.start.slice(0, 4)),
		outcome: deal.outcome,
		status: deal.status,
		usGives: ids.filter((id) => giver.get(id) === 'us'),
		dprkGives: ids.filter((id) => giver.get(id) === 'dprk'),
		leftOut,
	};
}

/** Source-policy problems of the catalog's and the general cases' sources (deal sources are checked by loadDeals). */
function otherSourceProblems(
	catalog: ConcessionCatalog,
	positions: Positions,
	publishers: PublisherRegistry,
): string[] {
	const problems: string[] = [];
	for (const [file, sources] of [
		['concessions.json', catalog.sources],
		['positions.json', positions.sources],
	] as const) {
		for (const source of sources) {
			for (const problem of sourcePolicyProblems(source, publishers))
				problems.push(`${file}: ${source.key}: ${problem}`);
		}
	}
	return problems;
}

export function loadLibrary(): Library {
	const publishers = loadPublishers();
	const deals = loadDeals(undefined, publishers);
	const catalog = loadConcessions();
	const positions = loadPositions();
	const problems = otherSourceProblems(catalog, positions, publishers);
	if (problems.length > 0) throw new DataError('Sources', problems);
	return {
		deals,
		dealById: new Map(deals.map((deal) => [deal.id, deal])),
		dealIndex: createDealIndex(
			deals.map((deal) => ({
				id: deal.id,
				name: deal.name,
				fullName: deal.fullName,
				aliases: deal.aliases,
				topics: deal.topics,
				start: deal.date.start,
				end: deal.date.end,
			})),
		),
		catalog,
		concessionIndex: createConcessionIndex(catalog.concessions),
		anyConcessionIndex: createIndex(
			catalog.concessions.map((item) => ({ id: item.id, phrases: [item.id, item.name, ...item.aliases] })),
		),
		pastDeals: deals.map((deal) => packageOf(deal, catalog)),
		positions,
		publishers,
	};
}
