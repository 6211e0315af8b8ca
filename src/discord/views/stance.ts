import type { Commitment, Deal, Party } from '../../data/deal-schema.js';
import { partyName } from '../format.js';

/** "the United States", "North Korea": a party as it reads inside a sentence. */
export function partyInSentence(party: Party): string {
	return party === 'US' ? 'the United States' : partyName(party);
}

/** "North Korea", "the United States and South Korea", "China, Japan and Russia". */
export function listParties(parties: readonly Party[]): string {
	const names = parties.map(partyInSentence);
	if (names.length <= 1) return names.join('');
	return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

function capitalise(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

const NUMBER_WORDS = ['', 'one', 'both', 'three', 'four', 'five', 'six'];

/** Who agreed, when everyone who gives is every party of the deal: "Both Koreas", "Both sides", "All six parties". */
function everyone(deal: Pick<Deal, 'parties'>): string {
	const { parties } = deal;
	if (parties.length === 2) {
		return parties.includes('ROK') && parties.includes('DPRK') ? 'Both Koreas' : 'Both sides';
	}
	return `All ${NUMBER_WORDS[parties.length] ?? parties.length} parties`;
}

/**
 * The words that introduce a commitment, by who stands behind it, never by giver alone:
 * "North Korea committed to", "Both Koreas agreed to", "North Korea offered to", "North Korea asked the United States
 * to", "President Trump said afterwards (not in the text) that North Korea would", "Vox reported (not confirmed) that
 * the United States would". Each is followed by the commitment's `short`.
 */
export function stanceHeading(deal: Pick<Deal, 'parties'>, commitment: Pick<Commitment, 'givers' | 'stance'>): string {
	const { givers, stance } = commitment;
	switch (stance.kind) {
		case 'agreed': {
			if (givers.length === 1) return `${capitalise(listParties(givers))} committed to`;
			const all = deal.parties.length === givers.length && deal.parties.every((party) => givers.includes(party));
			return `${all ? everyone(deal) : capitalise(listParties(givers))} agreed to`;
		}
		case 'offered':
			return `${capitalise(partyInSentence(stance.by))} offered to`;
		case 'demanded':
			return `${capitalise(partyInSentence(stance.by))} asked ${listParties(givers)} to`;
		case 'claimed':
			return stance.context === 'own-statement'
				? `${stance.by} said, in its own statement only, that ${listParties(givers)} would`
				: `${stance.by} said afterwards (not in the text) that ${listParties(givers)} would`;
		case 'reported':
			return `${stance.outlet} reported (not confirmed) that ${listParties(givers)} would`;
	}
}

/** The order stances are shown in: what was agreed, then offers, demands, one-sided claims and reports. */
export const STANCE_ORDER: Readonly<Record<Commitment['stance']['kind'], number>> = {
	agreed: 0,
	offered: 1,
	demanded: 2,
	claimed: 3,
	reported: 4,
};

/** Commitments grouped under their headings, agreed items first, each group in the deal's own order. */
export function commitmentsByStance(
	deal: Pick<Deal, 'parties' | 'commitments'>,
): { heading: string; items: Commitment[] }[] {
	const groups = new Map<string, { heading: string; rank: number; items: Commitment[] }>();
	for (const commitment of deal.commitments) {
		const heading = stanceHeading(deal, commitment);
		const group = groups.get(heading) ?? { heading, rank: STANCE_ORDER[commitment.stance.kind], items: [] };
		group.items.push(commitment);
		groups.set(heading, group);
	}
	return [...groups.values()].sort((a, b) => a.rank - b.rank).map(({ heading, items }) => ({ heading, items }));
}

/** "United States 200,000 tons; South Korea 50,000 tons": who pledged what of a shared pledge. */
export function sharesText(commitment: Pick<Commitment, 'shares'>): string {
	return (commitment.shares ?? []).map((share) => `${partyName(share.party)}: ${share.text}`).join('; ');
}
