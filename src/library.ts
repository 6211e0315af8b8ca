import type { Deal } from './data/deal-schema.js';
import { loadDeals } from './data/deals.js';
import { createDealIndex, type DealIndex } from './domain/deal-lookup.js';

/** The curated, sourced content Parley serves. Validated when loaded; a bad file stops startup with every problem. */
export interface Library {
	/** Oldest first. */
	readonly deals: readonly Deal[];
	readonly dealById: ReadonlyMap<string, Deal>;
	readonly dealIndex: DealIndex;
}

export function loadLibrary(): Library {
	const deals = loadDeals();
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
	};
}
