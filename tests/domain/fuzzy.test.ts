import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	complete,
	createIndex,
	damerauLevenshtein,
	decide,
	FUZZY_CLEAR_MARGIN,
	FUZZY_MATCH_MIN,
	type FuzzyMatch,
	nearest,
	normalize,
	rank,
	SUGGESTION_MIN,
	scorePhrase,
	suggestClosest,
} from '../../src/domain/fuzzy.js';

/** Any UTF-16 string, lone surrogates included. */
const anyUtf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) });
const anyText = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), anyUtf16);

describe('normalize', () => {
	it.each([
		['U.S.', 'us'],
		['U.S.–DPRK talks', 'us dprk talks'],
		['Six-Party Joint Statement', 'six party joint statement'],
		['Pyŏngyang Café', 'pyongyang cafe'],
		['le\u200bap\u2060 day', 'leap day'],
		['\u0000leap\u0007 \u0000day', 'leap day'],
		['\uFEFFＬＥＡＰ　ＤＡＹ', 'leap day'],
		['leap\nday\tdeal', 'leap day deal'],
		["Kim's   summit!!", 'kims summit'],
		['29.2.2012', '29 2 2012'],
		['  ...  ', ''],
	])('%j → %j', (input, expected) => {
		expect(normalize(input)).toBe(expected);
	});

	it('is idempotent and yields single-spaced letters and digits for any input', () => {
		fc.assert(
			fc.property(anyText, (text) => {
				const once = normalize(text);
				expect(normalize(once)).toBe(once);
				expect(once).toMatch(/^(?:[\p{L}\p{N}]+(?: [\p{L}\p{N}]+)*)?$/u);
			}),
		);
	});
});

describe('damerauLevenshtein', () => {
	it.each([
		['kitten', 'sitting', 3],
		['day', 'dya', 1],
		['hanoi', 'hanio', 1],
		['abc', '', 3],
		['', '', 0],
		['ca', 'abc', 3],
		['😀a', 'a😀', 1],
	])('%j ↔ %j = %i', (a, b, expected) => {
		expect(damerauLevenshtein(a, b)).toBe(expected);
	});

	it('stops at max + 1 when the strings are farther apart than max', () => {
		expect(damerauLevenshtein('kitten', 'sitting', 1)).toBe(2);
		expect(damerauLevenshtein('a', 'abcdefgh', 2)).toBe(3);
		expect(damerauLevenshtein('kitten', 'sitting', 3)).toBe(3);
	});

	it('agrees with the unbounded distance below the bound, is symmetric, and is zero only for equal strings', () => {
		const short = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'é', '😀'), maxLength: 8 });
		fc.assert(
			fc.property(short, short, fc.nat({ max: 6 }), (a, b, max) => {
				const full = damerauLevenshtein(a, b);
				expect(damerauLevenshtein(a, b, max)).toBe(Math.min(full, max + 1));
				expect(damerauLevenshtein(b, a)).toBe(full);
				expect(full === 0).toBe(a === b);
				expect(full).toBeLessThanOrEqual(Math.max([...a].length, [...b].length));
			}),
		);
	});
});

describe('scorePhrase', () => {
	it.each([
		['leap dya', 'leap day'],
		['agred framework', 'agreed framework'],
		['yongbyon dismantle', 'dismantle yongbyon'],
		['sanctions relif', 'sanctions relief'],
		['singapur', 'singapore'],
		['hanio', 'hanoi'],
		['the agreed framework', 'Agreed Framework'],
		['leapday', 'leap day'],
	])('forgives %j for %j', (query, phrase) => {
		expect(scorePhrase(query, phrase)).toBeGreaterThanOrEqual(FUZZY_MATCH_MIN);
	});

	it('scores an exact phrase 1 whatever the case, accents or punctuation', () => {
		expect(scorePhrase('LEAP-DAY deal', 'Leap Day Deal')).toBe(1);
		expect(scorePhrase('pyongyang', 'Pyŏngyang')).toBe(1);
	});

	it('prefers a phrase the query covers fully over one it covers partly, by at least the margin', () => {
		const whole = scorePhrase('sanctions relif', 'sanctions relief');
		const partial = scorePhrase('sanctions relif', 'U.S. sanctions relief');
		expect(whole - partial).toBeGreaterThanOrEqual(FUZZY_CLEAR_MARGIN);
	});

	it('never forgives a different number', () => {
		expect(scorePhrase('2018', '2019')).toBe(0);
		expect(scorePhrase('trump kim 1', 'trump kim 2')).toBeLessThan(FUZZY_MATCH_MIN);
	});

	it('does not match unrelated words', () => {
		expect(scorePhrase('pizza', 'Panmunjom Declaration')).toBeLessThan(SUGGESTION_MIN);
		expect(scorePhrase('kim', 'sin')).toBe(0);
	});

	it('stays within [0, 1] for any input', () => {
		fc.assert(
			fc.property(anyText, anyText, (query, phrase) => {
				const score = scorePhrase(query, phrase);
				expect(score).toBeGreaterThanOrEqual(0);
				expect(score).toBeLessThanOrEqual(1);
			}),
		);
	});
});

const index = createIndex([
	{ id: 'hanoi2019', phrases: ['Hanoi Summit', 'hanoi'] },
	{ id: 'singapore2018', phrases: ['Singapore Summit', 'singapore'] },
	{ id: 'leapday2012', phrases: ['Leap Day Deal', 'leap day'] },
	{ id: 'empty', phrases: ['', '...'] },
]);

describe('rank', () => {
	it('puts the best entry first and reports the phrase as it was given', () => {
		const [first] = rank(index, 'leap dya');
		expect(first?.id).toBe('leapday2012');
		expect(first?.matchedPhrase).toBe('leap day');
	});

	it('orders equal scores by id and honours the limit', () => {
		const both = rank(index, 'summit');
		expect(both.map((match) => match.id)).toEqual(['hanoi2019', 'singapore2018']);
		expect(both[0]?.score).toBe(both[1]?.score);
		expect(rank(index, 'summit', 1)).toHaveLength(1);
		expect(rank(index, 'summit', 0)).toEqual([]);
	});

	it('returns nothing for a blank query and sorted, bounded results for any query', () => {
		expect(rank(index, '   ')).toEqual([]);
		fc.assert(
			fc.property(anyText, fc.integer({ min: -3, max: 5 }), (query, limit) => {
				const results = rank(index, query, limit);
				expect(results.length).toBeLessThanOrEqual(Math.max(0, limit));
				for (let i = 1; i < results.length; i++) {
					expect((results[i - 1]?.score ?? 0) >= (results[i]?.score ?? 0)).toBe(true);
				}
			}),
		);
	});
});

describe('complete', () => {
	it('ranks phrases starting with the text above typo guesses', () => {
		const results = complete(index, 'han');
		expect(results[0]?.id).toBe('hanoi2019');
		expect(results[0]?.score).toBeGreaterThanOrEqual(0.8);
	});

	it('completes any word of a phrase', () => {
		expect(
			complete(index, 'summ')
				.map((match) => match.id)
				.sort(),
		).toEqual(['hanoi2019', 'singapore2018']);
	});

	it('still offers a misspelt name, below the completions', () => {
		const [match] = complete(index, 'singapur');
		expect(match?.id).toBe('singapore2018');
		expect(match?.score).toBeLessThan(0.6);
	});
});

describe('nearest and suggestClosest', () => {
	it('always offer something for a non-empty index, even for gibberish', () => {
		expect(nearest(index, 'qqqqqq', 2)).toHaveLength(2);
		expect(suggestClosest(index, 'zzzz', 3)).toHaveLength(3);
	});

	it('put real matches before edit-distance guesses', () => {
		expect(suggestClosest(index, 'leap', 2)[0]).toBe('leapday2012');
	});
});

describe('decide', () => {
	const match = (id: string, score: number): FuzzyMatch => ({ id, score, matchedPhrase: id });

	it('accepts a clear leader', () => {
		expect(decide([match('a', 0.9), match('b', 0.8)])).toEqual({ kind: 'clear', match: match('a', 0.9) });
		expect(decide([match('a', 0.75)]).kind).toBe('clear');
	});

	it('reports a tie with every entry within the margin', () => {
		const decision = decide([match('a', 0.9), match('b', 0.88), match('c', 0.86), match('d', 0.5)]);
		expect(decision).toEqual({ kind: 'tied', matches: [match('a', 0.9), match('b', 0.88), match('c', 0.86)] });
	});

	it('rejects a leader below the minimum score', () => {
		expect(decide([match('a', FUZZY_MATCH_MIN - 0.01)]).kind).toBe('none');
		expect(decide([]).kind).toBe('none');
	});
});
