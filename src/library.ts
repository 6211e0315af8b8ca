import type { ConcessionCatalog } from './data/concession-schema.js';
import { loadConcessions } from './data/concessions.js';
import type { Deal } from './data/deal-schema.js';
import { loadDeals } from './data/deals.js';
import { loadPositions } from './data/positions.js';
import type { Positions } from './data/positions-schema.js';
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
	readonly positions: Positions;
}

/** Commitments that count in a deal's package: what was agreed, or offered at talks that produced no deal. */
const COUNTED_SCOPES = new Set(['agreed', 'offer']);

/**
 * A deal's package: the catalog items its commitments link to, routed to the side that gives each one. Items only
 * one side claimed, or known only from press reports, are left out and listed in `leftOut`.
 */
export function packageOf(deal: Deal, catalog: ConcessionCatalog): PastDeal & { readonly leftOut: readonly string[] } {
	const giver = new Map(catalog.concessions.map((item) => [item.id, item.giver]));
	const counted = deal.commitments.filter((item) => COUNTED_SCOPES.has(item.scope ?? 'agreed'));
	const ids = [...new Set(counted.flatMap((item) => (item.concession === null ? [] : [item.concession])))];
	const leftOut = [
		...new Set(
			deal.commitments
				.filter(
					(item) =>
						item.concession !== null && !COUNTED_SCOPES.has(item.scope ?? 'agreed') && !ids.includes(item.concession),
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

export function loadLibrary(): Library {
	const deals = loadDeals();
	const catalog = loadConcessions();
	return {
		deals,
		dealById: new Map(deals.map((deal) => [deal.id, deal])),
		dealIndex: createDealIndex(
			deals.map((deal) => ({
				id: deal.id,
				name: deal.name,
				fullName: deal.fullName,
				aliases: deal.aliases,
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
		positions: loadPositions(
			undefined,
			deals.map((deal) => deal.id),
		),
	};
}
