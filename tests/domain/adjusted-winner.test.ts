import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Concession, ConcessionId } from '../../src/data/concession-schema.js';
import { DPRK_CONCESSION_IDS, US_CONCESSION_IDS } from '../../src/data/concession-schema.js';
import { loadConcessions } from '../../src/data/concessions.js';
import {
	add,
	adjustedWinner,
	compare,
	type Fraction,
	fairSplit,
	formatMixed,
	fraction,
	mul,
	ONE,
	sub,
	toFraction,
	ZERO,
} from '../../src/domain/adjusted-winner.js';

const catalog = loadConcessions().concessions;

function entry(id: ConcessionId, costToGiver: number, valueToReceiver: number): Concession {
	const giver = (DPRK_CONCESSION_IDS as readonly string[]).includes(id) ? 'dprk' : 'us';
	return {
		id,
		giver,
		name: id,
		aliases: [id],
		description: 'test entry',
		costToGiver,
		valueToReceiver,
		rationale: 'test weights',
		sources: ['TEST'],
		reversibility: { speed: 'weeks', text: 'test' },
		verification: { level: 'visible', text: 'test' },
		deals: [],
		reportedIn: [],
	};
}

describe('fractions', () => {
	it.each([
		{ name: 'reduces to lowest terms', value: fraction(6, 4), expected: { num: 3n, den: 2n } },
		{ name: 'keeps the sign on the numerator', value: fraction(3, -9), expected: { num: -1n, den: 3n } },
		{ name: 'reads decimals exactly', value: toFraction(0.1), expected: { num: 1n, den: 10n } },
		{ name: 'reads exponent notation', value: toFraction(2.5e-7), expected: { num: 1n, den: 4000000n } },
	])('$name', ({ value, expected }) => {
		expect(value).toEqual(expected);
	});

	it.each([
		{ value: fraction(170, 3), shown: '56⅔' },
		{ value: fraction(5, 6), shown: '⅚' },
		{ value: fraction(7, 11), shown: '7/11' },
		{ value: fraction(5200, 101), shown: '51 49/101' },
		{ value: fraction(-3, 2), shown: '-1½' },
	])('shows $shown as a mixed number', ({ value, shown }) => {
		expect(formatMixed(value)).toBe(shown);
	});
});

describe('adjustedWinner', () => {
	it("reproduces Brams and Taylor's Carol and Bob example exactly", () => {
		const result = adjustedWinner([
			{ id: 'Retirement', a: 50, b: 40 },
			{ id: 'Home', a: 20, b: 30 },
			{ id: 'Cottage', a: 15, b: 10 },
			{ id: 'Investments', a: 10, b: 10 },
			{ id: 'Other', a: 5, b: 10 },
		]);
		const carolShare = Object.fromEntries(result.allocations.map((item) => [item.id, item.shareA]));
		expect(carolShare).toEqual({
			Retirement: fraction(5, 6),
			Home: ZERO,
			Cottage: ONE,
			Investments: ZERO,
			Other: ZERO,
		});
		expect(result.split?.id).toBe('Retirement');
		expect(result.split?.shareB).toEqual(fraction(1, 6));
		expect(result.pointsA).toEqual(fraction(170, 3));
		expect(result.pointsB).toEqual(fraction(170, 3));
	});

	it('gives a tied item to whoever is behind, here evening the totals with nothing split', () => {
		// Winner phase: A takes x (60), B takes y (40). B is behind, so B gets the tie: 60 each.
		const result = adjustedWinner([
			{ id: 'x', a: 60, b: 40 },
			{ id: 'tie', a: 20, b: 20 },
			{ id: 'y', a: 20, b: 40 },
		]);
		expect(result.allocations.map((item) => item.shareA)).toEqual([ONE, ZERO, ZERO]);
		expect(result.split).toBeNull();
		expect(result.pointsA).toEqual(fraction(60));
		expect(result.pointsB).toEqual(fraction(60));
	});

	it("hands over the leader's items in ascending ratio of its points to the other's", () => {
		// A wins p (5 vs 4) and q (65 vs 45), 70 to 51. p has the lower ratio (1.25 < 1.44), so it moves whole
		// (65 to 55), then q is split: B gets (65 − 55) / (65 + 45) = 1/11 of it.
		const result = adjustedWinner([
			{ id: 'p', a: 5, b: 4 },
			{ id: 'q', a: 65, b: 45 },
			{ id: 'r', a: 30, b: 51 },
		]);
		expect(result.allocations.map((item) => item.shareA)).toEqual([ZERO, fraction(10, 11), ZERO]);
		expect(result.split?.id).toBe('q');
		expect(result.pointsA).toEqual(fraction(650, 11));
		expect(result.pointsB).toEqual(fraction(650, 11));
	});

	it("moves the item with fewer of the leader's points first when ratios tie", () => {
		// p and q both have ratio 2; p (10) goes first and alone evens the totals at 90, so nothing is split.
		const result = adjustedWinner([
			{ id: 'q', a: 20, b: 10 },
			{ id: 'p', a: 10, b: 5 },
			{ id: 's', a: 70, b: 0 },
			{ id: 't', a: 0, b: 85 },
		]);
		expect(result.allocations.map((item) => [item.id, item.shareA])).toEqual([
			['q', ONE],
			['p', ZERO],
			['s', ONE],
			['t', ZERO],
		]);
		expect(result.split).toBeNull();
		expect(result.pointsA).toEqual(fraction(90));
	});

	it('handles no items', () => {
		expect(adjustedWinner([])).toEqual({ allocations: [], split: null, pointsA: ZERO, pointsB: ZERO });
	});

	it('rejects negative points and repeated ids', () => {
		expect(() => adjustedWinner([{ id: 'x', a: -1, b: 1 }])).toThrow(RangeError);
		expect(() =>
			adjustedWinner([
				{ id: 'x', a: 1, b: 1 },
				{ id: 'x', a: 1, b: 1 },
			]),
		).toThrow(TypeError);
	});

	const normalizedPoints = fc
		.array(fc.tuple(fc.nat({ max: 30 }), fc.nat({ max: 30 })), { minLength: 1, maxLength: 9 })
		.filter((pairs) => pairs.some(([a]) => a > 0) && pairs.some(([, b]) => b > 0))
		.map((pairs) => {
			const totalA = pairs.reduce((sum, [a]) => sum + a, 0);
			const totalB = pairs.reduce((sum, [, b]) => sum + b, 0);
			return pairs.map(([a, b], index) => ({
				id: `item${index}`,
				a: fraction(100 * a, totalA),
				b: fraction(100 * b, totalB),
			}));
		});

	it('always gives equal shares of at least 50, splits at most one item and leaves no envy', () => {
		fc.assert(
			fc.property(normalizedPoints, (items) => {
				const result = adjustedWinner(items);
				expect(result.pointsA).toEqual(result.pointsB);
				expect(compare(result.pointsA, fraction(50))).toBeGreaterThanOrEqual(0);
				const divided = result.allocations.filter(
					(item) => compare(item.shareA, ZERO) > 0 && compare(item.shareA, ONE) < 0,
				);
				expect(divided.length).toBeLessThanOrEqual(1);
				const bundle = (party: 'a' | 'b', share: 'shareA' | 'shareB'): Fraction =>
					result.allocations.reduce((sum, item) => add(sum, mul(item[party], item[share])), ZERO);
				expect(compare(bundle('a', 'shareA'), bundle('a', 'shareB'))).toBeGreaterThanOrEqual(0);
				expect(compare(bundle('b', 'shareB'), bundle('b', 'shareA'))).toBeGreaterThanOrEqual(0);
			}),
		);
	});
});

describe('fairSplit', () => {
	const fixture = [entry('yongbyon-dismantlement', 6, 6), entry('un-sanctions-relief', 7, 8), entry('food-aid', 0, 0)];

	it('scales each side to 100 and splits the one contested item', () => {
		const result = fairSplit({ dprkGives: ['yongbyon-dismantlement'], usGives: ['un-sanctions-relief'] }, fixture);
		if (!result.applicable) throw new Error(result.reason);
		const [dismantle, relief] = result.items;
		// U.S. points: 6 and 7 of 13; North Korea's: 6 and 8 of 14.
		expect(dismantle).toMatchObject({
			usPoints: fraction(600, 13),
			dprkPoints: fraction(300, 7),
			outcome: 'given',
			winner: 'us',
		});
		expect(relief).toMatchObject({
			usPoints: fraction(700, 13),
			dprkPoints: fraction(400, 7),
			outcome: 'split',
			winner: null,
		});
		expect(relief?.givenShare).toEqual(fraction(91, 101));
		expect(result.split?.id).toBe('un-sanctions-relief');
		expect(result.share).toEqual(fraction(5200, 101));
		expect(result.asProposed).toEqual({ us: fraction(600, 13), dprk: fraction(400, 7) });
		expect(result.weightsSource).toBe('default');
	});

	it('explains instead of dividing when there is nothing to divide', () => {
		expect(fairSplit({ dprkGives: [], usGives: [] }, fixture)).toMatchObject({ applicable: false });
		const weightless = fairSplit({ dprkGives: [], usGives: ['food-aid'] }, fixture);
		expect(weightless).toMatchObject({ applicable: false });
		expect(weightless.applicable ? '' : weightless.reason).toMatch(/no weight/);
	});

	it('uses server weights when given and says so', () => {
		const result = fairSplit({ dprkGives: ['yongbyon-dismantlement'], usGives: ['un-sanctions-relief'] }, fixture, {
			overrides: { 'un-sanctions-relief': { costToGiver: 6 } },
		});
		expect(result.weightsSource).toBe('server');
		if (!result.applicable) throw new Error(result.reason);
		expect(result.items[1]?.usPoints).toEqual(fraction(50));
	});

	const packages = fc.record({
		usGives: fc.subarray([...US_CONCESSION_IDS]),
		dprkGives: fc.subarray([...DPRK_CONCESSION_IDS]),
	});

	it('gives both sides the same share, at least 50, on any catalog package', () => {
		fc.assert(
			fc.property(packages, (input) => {
				const result = fairSplit(input, catalog);
				if (!result.applicable) return;
				expect(compare(result.share, fraction(50))).toBeGreaterThanOrEqual(0);
				expect(result.items.filter((item) => item.outcome === 'split').length).toBeLessThanOrEqual(1);
				const usShare = result.items.reduce(
					(sum, item) =>
						add(sum, mul(item.usPoints, item.giver === 'dprk' ? item.givenShare : sub(ONE, item.givenShare))),
					ZERO,
				);
				expect(usShare).toEqual(result.share);
			}),
		);
	});
});
