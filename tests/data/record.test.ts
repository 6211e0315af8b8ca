/**
 * The record as a careful reader from either camp checks it: who stands behind each commitment, both camps voiced by
 * their own named advocates, timelines in order, titles and labels that read right.
 */
import { describe, expect, it } from 'vitest';
import { CAMPS, type Commitment, type Deal } from '../../src/data/deal-schema.js';
import { loadDeals } from '../../src/data/deals.js';
import { loadPositions } from '../../src/data/positions.js';
import { partyName } from '../../src/discord/format.js';
import { STATUS_LABELS, timelineRows } from '../../src/discord/views/deal.js';
import { commitmentsByStance, stanceHeading } from '../../src/discord/views/stance.js';

const deals = loadDeals();
const positions = loadPositions();

function dealById(id: string): Deal {
	const found = deals.find((deal) => deal.id === id);
	if (!found) throw new Error(`no deal ${id}`);
	return found;
}

/** "the United States" inside a sentence, "North Korea" otherwise: written out here, not taken from the code. */
const IN_SENTENCE: Record<string, string> = {
	US: 'the United States',
	DPRK: 'North Korea',
	ROK: 'South Korea',
	China: 'China',
	Japan: 'Japan',
	Russia: 'Russia',
};
const cap = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The heading a reader should see for a commitment, derived from its stance by the rule the issue states. */
function expectedHeading(deal: Deal, item: Commitment): RegExp {
	const names = item.givers.map((party) => IN_SENTENCE[party] ?? party);
	const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
	const quote = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	const { stance } = item;
	switch (stance.kind) {
		case 'agreed': {
			if (item.givers.length === 1) return new RegExp(`^${quote(cap(list ?? ''))} committed to$`);
			const everyone = deal.parties.every((party) => item.givers.includes(party));
			if (!everyone) return new RegExp(`^${quote(cap(list ?? ''))} agreed to$`);
			return /^(Both Koreas|Both sides|All (three|four|five|six) parties) agreed to$/;
		}
		case 'offered':
			return new RegExp(`^${quote(cap(IN_SENTENCE[stance.by] ?? ''))} offered to$`);
		case 'demanded':
			return new RegExp(`^${quote(cap(IN_SENTENCE[stance.by] ?? ''))} asked ${quote(list ?? '')} to$`);
		case 'claimed':
			return stance.context === 'own-statement'
				? new RegExp(`^${quote(stance.by)} said, in its own statement only, that ${quote(list ?? '')} would$`)
				: new RegExp(`^${quote(stance.by)} said afterwards \\(not in the text\\) that ${quote(list ?? '')} would$`);
		case 'reported':
			return new RegExp(`^${quote(stance.outlet)} reported \\(not confirmed\\) that ${quote(list ?? '')} would$`);
	}
}

describe('stances: who stands behind every commitment of every deal', () => {
	const all = deals.flatMap((deal) => deal.commitments.map((item) => ({ deal, item })));

	it('covers every commitment (not vacuous)', () => {
		expect(all.length).toBeGreaterThan(100);
		expect(deals.length).toBe(15);
	});

	it.each(deals.map((deal) => [deal.id, deal] as const))(
		'%s: every commitment is introduced by its stance',
		(_id, deal) => {
			for (const item of deal.commitments) {
				expect(stanceHeading(deal, item), item.short).toMatch(expectedHeading(deal, item));
			}
		},
	);

	it('writes each item as a phrase that follows its heading ("offered to dismantle…", not "offered to: Offer: …")', () => {
		for (const { deal, item } of all) {
			expect(item.short, `${deal.id}: ${item.short}`).not.toMatch(/^(to |Offer|Ask|Reportedly|U\.S\. ask|Readiness)/);
			expect(item.short.charAt(0), `${deal.id}: ${item.short}`).not.toMatch(/[.,;:]/);
		}
	});

	it('never shows an offer or a demand as a commitment, and never mixes them up at Hanoi', () => {
		const hanoi = dealById('hanoi2019');
		expect(hanoi.commitments.some((item) => item.stance.kind === 'agreed')).toBe(false);
		const relief = hanoi.commitments.find((item) => item.concession === 'un-sanctions-relief');
		expect(relief?.stance).toEqual({ kind: 'demanded', by: 'DPRK' });
		expect(relief?.givers).toEqual(['US']);
		const yongbyon = hanoi.commitments.find((item) => item.concession === 'yongbyon-dismantlement');
		expect(yongbyon?.stance).toEqual({ kind: 'offered', by: 'DPRK' });
		const beyond = hanoi.commitments.filter((item) => item.stance.kind === 'demanded' && item.stance.by === 'US');
		expect(beyond.length).toBeGreaterThan(0);
		for (const item of beyond) expect(item.givers).toEqual(['DPRK']);
		const stockholm = dealById('stockholm2019');
		expect(stockholm.commitments.some((item) => item.stance.kind === 'agreed')).toBe(false);
		expect(stockholm.commitments.some((item) => item.stance.kind === 'demanded' && item.stance.by === 'DPRK')).toBe(
			true,
		);
	});

	it('shows mutual inter-Korean pledges as both Koreas’, never pinned on one', () => {
		for (const id of ['jdd1992', 'panmunjom2018', 'pyongyang2018', 'summit2000', 'summit2007']) {
			const deal = dealById(id);
			const headings = commitmentsByStance(deal).map((group) => group.heading);
			expect(headings, id).toContain('Both Koreas agreed to');
		}
	});

	it('names who pledged the February 2007 energy aid, with the U.S. share, not the U.S. alone', () => {
		const energy = dealById('feb2007').commitments.filter((item) => item.concession === 'heavy-fuel-oil');
		expect(energy.length).toBeGreaterThan(0);
		const big = energy.find((item) => /1 million|1,000,000|one million/i.test(`${item.short} ${item.text}`));
		expect(big?.givers.length ?? 0).toBeGreaterThan(1);
		// Each pledging party's share as far as a source allows; the U.S. part is named, not the whole.
		expect(big?.shares?.map((share) => share.party)).toEqual(expect.arrayContaining(['US', 'ROK']));
		expect(stanceHeading(dealById('feb2007'), big ?? energy[0] ?? ({} as Commitment))).not.toMatch(
			/^The United States committed/,
		);
	});

	it('keeps what Trump said at Singapore, in no text, apart from the joint statement', () => {
		const claimed = dealById('singapore2018').commitments.filter((item) => item.stance.kind === 'claimed');
		expect(claimed.length).toBeGreaterThan(0);
		for (const item of claimed)
			expect(stanceHeading(dealById('singapore2018'), item)).toMatch(
				/^President Trump said afterwards \(not in the text\)/,
			);
	});
});

/** Words that describe a holder, not advocate a camp: reporters, neutral bodies, officials describing policy. */
const NOT_ADVOCATES =
	/\b(official|spokes(man|woman|person)|reporter|correspondent|anonymous|unnamed|secretary-general|congressional research service|IAEA|analysts)\b/i;

describe('both camps for every deal, by their own advocates', () => {
	const everyCase = [
		...deals.map((deal) => ({ where: deal.id, cases: deal.cases })),
		{ where: 'positions.json general', cases: positions.general },
	];

	it('every deal and the general case has a pressure and a compromise case, each with named voices', () => {
		expect(everyCase.length).toBe(16);
		for (const { where, cases } of everyCase) {
			for (const camp of CAMPS) {
				expect(cases[camp].points.length, `${where} ${camp}`).toBeGreaterThan(0);
				for (const point of cases[camp].points) {
					expect(point.voice.name, `${where} ${camp}`).not.toMatch(NOT_ADVOCATES);
					expect(point.voice.role, `${where} ${camp}`).not.toMatch(/TODO/);
					expect(point.voice.name.split(' ').length, `${where} ${camp}: ${point.voice.name}`).toBeGreaterThan(1);
				}
			}
		}
	});

	it('nobody speaks for both camps, anywhere in the record', () => {
		const campOf = new Map<string, string>();
		const conflicts: string[] = [];
		for (const { where, cases } of everyCase) {
			for (const camp of CAMPS) {
				for (const point of cases[camp].points) {
					const name = point.voice.name.toLowerCase();
					const seen = campOf.get(name);
					if (seen && seen !== camp) conflicts.push(`${point.voice.name} (${where})`);
					campOf.set(name, seen ?? camp);
				}
			}
		}
		expect(conflicts).toEqual([]);
	});

	it('summaries are attributed: each names at least one of its camp’s voices', () => {
		for (const { where, cases } of everyCase) {
			for (const camp of CAMPS) {
				const surnames = cases[camp].points.map((point) => point.voice.name.split(' ').at(-1) ?? '');
				expect(
					surnames.some((surname) => cases[camp].summary.includes(surname)),
					`${where} ${camp}: ${cases[camp].summary}`,
				).toBe(true);
			}
		}
	});

	it('gives the two camps the same care: as many points, summaries of similar length', () => {
		for (const { where, cases } of everyCase) {
			expect(cases.pressure.points.length, where).toBe(cases.compromise.points.length);
			const lengths = [cases.pressure.summary.length, cases.compromise.summary.length];
			expect(Math.max(...lengths) / Math.min(...lengths), where).toBeLessThan(1.6);
		}
	});
});

/** Loaded words Parley must not use in its own voice (quoted words of others are excluded). */
const LOADED =
	/\b(ignor(ed|ing)|admitt?(ed|ing)|caved?|appeasement|naive|so-called|finally|merely|reneged?|cheat(ed|ing)?|duped)\b/i;

function unquoted(text: string): string {
	return text.replace(/“[^”]*”|"[^"]*"/g, '');
}

describe('neutral narration', () => {
	it('Parley’s own sentences use no loaded words (summaries, events, endings, notes, case summaries)', () => {
		const found: string[] = [];
		for (const deal of deals) {
			const own = [
				deal.summary.text,
				deal.ending.text,
				deal.outcome,
				deal.date.label,
				...deal.events.map((event) => event.text),
				...deal.commitments.flatMap((item) => [item.short, item.text, item.note ?? '']),
				deal.cases.pressure.summary,
				deal.cases.compromise.summary,
			];
			for (const text of own) {
				const match = LOADED.exec(unquoted(text));
				if (match) found.push(`${deal.id}: “${match[0]}” in ${text.slice(0, 80)}`);
			}
		}
		expect(found).toEqual([]);
	});
});

describe('order and wording', () => {
	it.each(deals.map((deal) => [deal.id, deal] as const))(
		'%s: the timeline is in date order with its end in place',
		(_id, deal) => {
			const rows = timelineRows(deal);
			const dates = rows.map((row) => row.date);
			expect(dates).toEqual([...dates].sort());
			expect(rows.filter((row) => row.kind === 'start')).toHaveLength(1);
			if (deal.ending.date) expect(rows.filter((row) => row.kind === 'end')).toHaveLength(1);
		},
	);

	it('no outcome repeats its status label ("Collapsed: Collapsed after…")', () => {
		for (const deal of deals) {
			const label = STATUS_LABELS[deal.status].toLowerCase();
			expect(deal.outcome.toLowerCase().startsWith(label), `${deal.id}: ${deal.outcome}`).toBe(false);
		}
	});

	it('no date label repeats its year as a range ("1994 (1994–1994)")', () => {
		for (const deal of deals) expect(deal.date.label, deal.id).not.toMatch(/(\d{4})\s*[–-]\s*\1/);
	});

	it('includes the four added records, with the right parties', () => {
		expect(dealById('jun1993').parties.sort()).toEqual(['DPRK', 'US']);
		expect(dealById('communique2000').parties.sort()).toEqual(['DPRK', 'US']);
		expect(dealById('summit2000').parties.sort()).toEqual(['DPRK', 'ROK']);
		expect(dealById('summit2007').parties.sort()).toEqual(['DPRK', 'ROK']);
		expect(partyName('ROK')).toBe('South Korea');
	});

	it('lets a member find deals by place and topic', () => {
		const topics = (topic: string) => deals.filter((deal) => deal.topics.includes(topic)).map((deal) => deal.id);
		expect(topics('yongbyon').length).toBeGreaterThanOrEqual(4);
		expect(topics('kedo')).toContain('af1994');
		expect(topics('6 party').length).toBeGreaterThanOrEqual(3);
		expect(topics('sanctions').length).toBeGreaterThanOrEqual(2);
	});
});
