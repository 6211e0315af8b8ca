import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	createDealIndex,
	type DealLookupEntry,
	findDeal,
	parseDateQuery,
	suggestDeals,
} from '../../src/domain/deal-lookup.js';

function deal(
	id: string,
	name: string,
	start: string,
	aliases: readonly string[],
	end: string | null = null,
	fullName = name,
): DealLookupEntry {
	return { id, name, fullName, aliases, start, end };
}

// Listed out of order on purpose: the index must sort chronologically itself.
const DEALS: readonly DealLookupEntry[] = [
	deal('af1994', 'Agreed Framework', '1994-10-21', [
		'agreed framework',
		'geneva framework',
		'1994 deal',
		'af',
		'geneva agreement',
	]),
	deal('jdd1992', 'Joint Declaration on Denuclearization', '1992-01-20', [
		'1992 joint declaration',
		'jdd',
		'north-south denuclearization declaration',
	]),
	deal('sixparty2005', 'Six-Party Joint Statement', '2005-09-19', [
		'september 19 statement',
		'six party joint statement',
		'2005 joint statement',
	]),
	deal('feb2007', 'February 2007 Initial Actions', '2007-02-13', ['february 13 agreement', 'initial actions']),
	deal('oct2007', 'October 2007 Second-Phase Actions', '2007-10-03', [
		'october 3 agreement',
		'second phase',
		'disablement deal',
	]),
	deal('leapday2012', 'Leap Day Deal', '2012-02-29', [
		'leap day',
		'leapday',
		'leap day deal',
		'feb 29 agreement',
		'2012 deal',
	]),
	deal('panmunjom2018', 'Panmunjom Declaration', '2018-04-27', ['panmunjom declaration', 'april 27 declaration']),
	deal(
		'singapore2018',
		'Singapore Summit Statement',
		'2018-06-12',
		['singapore', 'singapore summit', 'trump kim 1'],
		null,
		'Joint Statement of President Donald J. Trump and Chairman Kim Jong Un at the Singapore Summit',
	),
	deal('pyongyang2018', 'Pyongyang Joint Declaration', '2018-09-19', [
		'pyongyang declaration',
		'september pyongyang declaration',
		'cma',
		'military agreement',
	]),
	deal('hanoi2019', 'Hanoi Summit', '2019-02-27', ['hanoi', 'hanoi summit', 'no deal', 'trump kim 2'], '2019-02-28'),
	deal(
		'stockholm2019',
		'Stockholm Talks',
		'2019-10-04',
		['stockholm', 'sweden talks', 'working level talks'],
		'2019-10-05',
	),
];

const CHRONOLOGICAL = [
	'jdd1992',
	'af1994',
	'sixparty2005',
	'feb2007',
	'oct2007',
	'leapday2012',
	'panmunjom2018',
	'singapore2018',
	'pyongyang2018',
	'hanoi2019',
	'stockholm2019',
];
const IDS = new Set(CHRONOLOGICAL);

const index = createDealIndex(DEALS);

const anyUtf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) });
const anyText = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), anyUtf16);

describe('findDeal: exact names', () => {
	it.each([
		['leapday2012', 'leapday2012', 'id'],
		['PANMUNJOM2018', 'panmunjom2018', 'id'],
		['singapore 2018', 'singapore2018', 'id'],
		['Leap-Day Deal', 'leapday2012', 'name'],
		[
			'joint statement of president donald j trump and chairman kim jong un at the singapore summit',
			'singapore2018',
			'name',
		],
		['leapday', 'leapday2012', 'alias'],
		['leap day', 'leapday2012', 'alias'],
		['1994 deal', 'af1994', 'alias'],
		['2012 deal', 'leapday2012', 'alias'],
		['CMA', 'pyongyang2018', 'alias'],
		['September 19 statement', 'sixparty2005', 'alias'],
		['  no   deal ', 'hanoi2019', 'alias'],
	])('%j → %s via %s', (query, id, via) => {
		expect(findDeal(index, query)).toEqual({ kind: 'found', id, via });
	});
});

describe('findDeal: years and dates', () => {
	it.each([
		['2012', 'leapday2012', 'year'],
		['1994', 'af1994', 'year'],
		['feb 29', 'leapday2012', 'date'],
		['29 feb', 'leapday2012', 'date'],
		['february 29', 'leapday2012', 'date'],
		['February 29th', 'leapday2012', 'date'],
		['2/29', 'leapday2012', 'date'],
		['29/2', 'leapday2012', 'date'],
		['2012-02-29', 'leapday2012', 'date'],
		['29 February 2012', 'leapday2012', 'date'],
		['feb 29 2012', 'leapday2012', 'date'],
		['February 29, 2012', 'leapday2012', 'date'],
		['2/27', 'hanoi2019', 'date'],
		['2/28', 'hanoi2019', 'date'],
		['28.02.2019', 'hanoi2019', 'date'],
		['9/19/2018', 'pyongyang2018', 'date'],
		['October 5', 'stockholm2019', 'date'],
		['june 2018', 'singapore2018', 'date'],
	])('%j → %s via %s', (query, id, via) => {
		expect(findDeal(index, query)).toEqual({ kind: 'found', id, via });
	});

	it('lists every deal of a year with several, in chronological order', () => {
		expect(findDeal(index, '2018')).toMatchObject({
			kind: 'ambiguous',
			candidates: ['panmunjom2018', 'singapore2018', 'pyongyang2018'],
		});
		expect(findDeal(index, '2007')).toMatchObject({ kind: 'ambiguous', candidates: ['feb2007', 'oct2007'] });
	});

	it('lists every deal on a day that recurs across years, and says which day', () => {
		const result = findDeal(index, '9/19');
		expect(result).toMatchObject({ kind: 'ambiguous', candidates: ['sixparty2005', 'pyongyang2018'] });
		expect(result.kind === 'ambiguous' && result.reason).toContain('September 19');
	});

	it('suggests the deals nearest in time for a date with no deal', () => {
		expect(findDeal(index, '1999')).toEqual({ kind: 'none', suggestions: ['af1994', 'sixparty2005', 'jdd1992'] });
		expect(findDeal(index, '2/26')).toEqual({ kind: 'none', suggestions: ['hanoi2019', 'leapday2012', 'feb2007'] });
	});
});

describe('parseDateQuery', () => {
	it.each([
		['2018', { kind: 'year', year: 2018 }],
		['feb 2007', { kind: 'month', year: 2007, month: 2 }],
		['2007-02', { kind: 'month', year: 2007, month: 2 }],
		['3/4', { kind: 'day', year: null, month: 3, day: 4 }],
		['13/4', { kind: 'day', year: null, month: 4, day: 13 }],
		['2012-02-29', { kind: 'day', year: 2012, month: 2, day: 29 }],
		['the 29th of February', { kind: 'day', year: null, month: 2, day: 29 }],
		['sept. 19, 2005', { kind: 'day', year: 2005, month: 9, day: 19 }],
	])('%j', (text, expected) => {
		expect(parseDateQuery(text)).toEqual(expected);
	});

	it.each(['2/30', '13/13', '2013-02-29', 'feb', '19', '2 2012 29', 'panmunjom 2018', '3000', 'feb 29 march'])(
		'%j is not a date',
		(text) => {
			expect(parseDateQuery(text)).toBeNull();
		},
	);
});

describe('findDeal: typos and partial names', () => {
	it.each([
		['leap dya', 'leapday2012'],
		['agred framework', 'af1994'],
		['singapur', 'singapore2018'],
		['hanio', 'hanoi2019'],
		['the agreed framework', 'af1994'],
		['stockholm talks 2019', 'stockholm2019'],
		['six party', 'sixparty2005'],
	])('%j → %s via fuzzy', (query, id) => {
		expect(findDeal(index, query)).toEqual({ kind: 'found', id, via: 'fuzzy' });
	});

	it('asks when several deals fit equally well', () => {
		expect(findDeal(index, 'summit')).toMatchObject({ kind: 'ambiguous', candidates: ['singapore2018', 'hanoi2019'] });
		expect(findDeal(index, 'trump kim')).toMatchObject({
			kind: 'ambiguous',
			candidates: ['singapore2018', 'hanoi2019'],
		});
		expect(findDeal(index, 'declaration')).toMatchObject({
			kind: 'ambiguous',
			candidates: ['jdd1992', 'panmunjom2018', 'pyongyang2018'],
		});
	});
});

describe('findDeal: nothing found', () => {
	it('offers up to three close deals for an unknown name', () => {
		const result = findDeal(index, 'pizza');
		expect(result.kind).toBe('none');
		if (result.kind !== 'none') return;
		expect(result.suggestions.length).toBeGreaterThan(0);
		expect(result.suggestions.length).toBeLessThanOrEqual(3);
	});

	it('suggests the deal a near miss was probably after', () => {
		const result = findDeal(index, 'stokholm talkz meeting');
		expect(result.kind === 'none' ? result.suggestions[0] : result).toBe('stockholm2019');
	});

	it('offers nothing for a blank query', () => {
		expect(findDeal(index, '')).toEqual({ kind: 'none', suggestions: [] });
		expect(findDeal(index, '   ')).toEqual({ kind: 'none', suggestions: [] });
	});

	it('handles control characters and long noise', () => {
		expect(findDeal(index, '\u0000\u0001\u0002')).toMatchObject({ kind: 'none' });
		const noise = 'x\u0000y€😀'.repeat(100);
		const result = findDeal(index, noise);
		expect(result.kind === 'none' && result.suggestions.length).toBe(3);
	});

	it('never throws, and every answer names known deals in a valid shape', () => {
		fc.assert(
			fc.property(anyText, (query) => {
				const result = findDeal(index, query);
				switch (result.kind) {
					case 'found':
						expect(IDS.has(result.id)).toBe(true);
						break;
					case 'ambiguous':
						expect(result.candidates.length).toBeGreaterThan(1);
						expect(result.candidates).toEqual(CHRONOLOGICAL.filter((id) => result.candidates.includes(id)));
						expect(result.reason.length).toBeGreaterThan(0);
						break;
					case 'topic':
						expect(result.candidates.length).toBeGreaterThan(0);
						expect(result.candidates).toEqual(CHRONOLOGICAL.filter((id) => result.candidates.includes(id)));
						break;
					case 'too-short':
						expect([...query.replace(/[^\p{L}\p{N}]/gu, '')].length).toBeLessThan(3);
						expect(result.candidates.every((id) => IDS.has(id))).toBe(true);
						break;
					case 'none':
						expect(result.suggestions.length).toBeLessThanOrEqual(3);
						expect(result.suggestions.every((id) => IDS.has(id))).toBe(true);
						if (query.trim() !== '') expect(result.suggestions.length).toBeGreaterThan(0);
						break;
				}
			}),
		);
	});
});

describe('suggestDeals', () => {
	const ids = (partial: string, limit?: number): string[] =>
		suggestDeals(index, partial, limit).map((suggestion) => suggestion.id);

	it('lists every deal, oldest first, before anything is typed', () => {
		expect(ids('')).toEqual(CHRONOLOGICAL);
		expect(ids('  ')).toEqual(CHRONOLOGICAL);
	});

	it('completes names, aliases and ids from their beginning', () => {
		expect(ids('sing')[0]).toBe('singapore2018');
		expect(ids('han')[0]).toBe('hanoi2019');
		expect(ids('jdd')[0]).toBe('jdd1992');
		expect(ids('leap')[0]).toBe('leapday2012');
	});

	it('completes any word of a name', () => {
		expect(ids('summ')).toEqual(['singapore2018', 'hanoi2019']);
	});

	it('lists deals of a typed year or date first', () => {
		expect(ids('2018').slice(0, 3)).toEqual(['panmunjom2018', 'singapore2018', 'pyongyang2018']);
		expect(ids('9/19').slice(0, 2)).toEqual(['sixparty2005', 'pyongyang2018']);
	});

	it('forgives typos', () => {
		expect(ids('hanio')).toContain('hanoi2019');
		expect(ids('leap dya')[0]).toBe('leapday2012');
	});

	it("caps the list at the limit and at Discord's 25", () => {
		expect(ids('', 3)).toEqual(CHRONOLOGICAL.slice(0, 3));
		const many = createDealIndex(
			Array.from({ length: 30 }, (_, n) =>
				deal(`talks${n}`, `Talks round ${n}`, `2000-01-${String((n % 28) + 1).padStart(2, '0')}`, []),
			),
		);
		expect(suggestDeals(many, '', 100)).toHaveLength(25);
		expect(suggestDeals(many, 'talks')).toHaveLength(25);
	});

	it('never returns more than the limit, nor repeats, nor unknown ids, for any text', () => {
		fc.assert(
			fc.property(anyText, fc.integer({ min: -5, max: 40 }), (partial, limit) => {
				const suggestions = suggestDeals(index, partial, limit);
				expect(suggestions.length).toBeLessThanOrEqual(Math.max(0, Math.min(limit, 25)));
				const seen = suggestions.map((suggestion) => suggestion.id);
				expect(new Set(seen).size).toBe(seen.length);
				expect(seen.every((id) => IDS.has(id))).toBe(true);
			}),
		);
	});
});
