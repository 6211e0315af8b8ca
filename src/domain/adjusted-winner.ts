import type { Concession, Side } from '../data/concession-schema.js';
import type { PackageInput, WeightOverrides, WeightsSource } from './weights.js';
import { resolvePackage } from './weights.js';

/** An exact rational: den > 0 and gcd(|num|, den) = 1, so equal values are deep-equal. */
export interface Fraction {
	readonly num: bigint;
	readonly den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
	let x = a < 0n ? -a : a;
	let y = b < 0n ? -b : b;
	while (y !== 0n) [x, y] = [y, x % y];
	return x;
}

export function fraction(num: bigint | number, den: bigint | number = 1n): Fraction {
	const n = BigInt(num);
	const d = BigInt(den);
	if (d === 0n) throw new RangeError('a fraction cannot have a zero denominator');
	const sign = d < 0n ? -1n : 1n;
	const divisor = gcd(n, d) || 1n;
	return { num: (sign * n) / divisor, den: (sign * d) / divisor };
}

export const ZERO = fraction(0);
export const ONE = fraction(1);

/** Integers convert directly; other finite numbers convert from their shortest decimal form (0.1 → 1/10). */
export function toFraction(value: Fraction | number): Fraction {
	if (typeof value !== 'number') return fraction(value.num, value.den);
	if (!Number.isFinite(value)) throw new RangeError(`${value} is not a finite number`);
	if (Number.isInteger(value)) return fraction(value);
	const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value));
	if (match === null) throw new RangeError(`cannot read ${value} as a decimal`);
	const [, sign = '', whole = '0', decimals = '', exponentText = '0'] = match;
	const exponent = Number(exponentText) - decimals.length;
	const digits = BigInt(`${sign}${whole}${decimals}`);
	return exponent >= 0 ? fraction(digits * 10n ** BigInt(exponent)) : fraction(digits, 10n ** BigInt(-exponent));
}

export const add = (a: Fraction, b: Fraction) => fraction(a.num * b.den + b.num * a.den, a.den * b.den);
export const sub = (a: Fraction, b: Fraction) => fraction(a.num * b.den - b.num * a.den, a.den * b.den);
export const mul = (a: Fraction, b: Fraction) => fraction(a.num * b.num, a.den * b.den);
export const div = (a: Fraction, b: Fraction) => fraction(a.num * b.den, a.den * b.num);
/** Negative, zero or positive as a is less than, equal to or greater than b. */
export const compare = (a: Fraction, b: Fraction) => {
	const difference = a.num * b.den - b.num * a.den;
	return difference < 0n ? -1 : difference > 0n ? 1 : 0;
};
export const toNumber = (a: Fraction) => Number(a.num) / Number(a.den);
export const formatFraction = (a: Fraction) => (a.den === 1n ? `${a.num}` : `${a.num}/${a.den}`);

const VULGAR: Record<string, string> = {
	'1/2': '½',
	'1/3': '⅓',
	'2/3': '⅔',
	'1/4': '¼',
	'3/4': '¾',
	'1/5': '⅕',
	'2/5': '⅖',
	'3/5': '⅗',
	'4/5': '⅘',
	'1/6': '⅙',
	'5/6': '⅚',
	'1/8': '⅛',
	'3/8': '⅜',
	'5/8': '⅝',
	'7/8': '⅞',
};

/** A mixed number for people: 170/3 → "56⅔", 5/6 → "⅚", 7/11 → "7/11". */
export function formatMixed(a: Fraction): string {
	if (a.den === 1n) return `${a.num}`;
	const negative = a.num < 0n;
	const magnitude = negative ? -a.num : a.num;
	const whole = magnitude / a.den;
	const rest = `${magnitude % a.den}/${a.den}`;
	const part = VULGAR[rest] ?? (whole === 0n ? rest : ` ${rest}`);
	return `${negative ? '-' : ''}${whole === 0n ? '' : whole}${part}`;
}

export interface AdjustedWinnerItem {
	readonly id: string;
	/** Party A's points for the item; totals need not be 100 (fairSplit normalizes before calling). */
	readonly a: Fraction | number;
	readonly b: Fraction | number;
}

export interface AdjustedWinnerAllocation {
	readonly id: string;
	readonly a: Fraction;
	readonly b: Fraction;
	/** Share of the item that goes to A; B gets the rest. */
	readonly shareA: Fraction;
	readonly shareB: Fraction;
}

export interface AdjustedWinnerResult {
	readonly allocations: readonly AdjustedWinnerAllocation[];
	/** The one item divided between the parties, if any. */
	readonly split: AdjustedWinnerAllocation | null;
	/** Each party's total in its own points; the procedure makes them equal. */
	readonly pointsA: Fraction;
	readonly pointsB: Fraction;
}

type Party = 'a' | 'b';

/**
 * Brams and Taylor's Adjusted Winner, exactly as in feature-anchors §4.1: each item first goes to whoever values it
 * more; ties go one by one to whoever is behind (A when level); then the leader hands over items in ascending order
 * of its-points ÷ other's-points (smaller own points first on equal ratios) until the totals meet, splitting the
 * item that would overshoot. The result is equitable, envy-free and efficient, with at most one split item.
 */
export function adjustedWinner(items: readonly AdjustedWinnerItem[]): AdjustedWinnerResult {
	const ids = new Set<string>();
	const values = items.map((item) => {
		if (ids.has(item.id)) throw new TypeError(`item "${item.id}" appears twice`);
		ids.add(item.id);
		const a = toFraction(item.a);
		const b = toFraction(item.b);
		if (compare(a, ZERO) < 0 || compare(b, ZERO) < 0)
			throw new RangeError(`points for "${item.id}" must not be negative`);
		return { id: item.id, a, b };
	});
	const shareA = values.map(() => ZERO);
	const totals = { a: ZERO, b: ZERO };
	const give = (index: number, party: Party) => {
		const item = values[index];
		if (item === undefined) return;
		shareA[index] = party === 'a' ? ONE : ZERO;
		totals[party] = add(totals[party], item[party]);
	};

	const tied: number[] = [];
	values.forEach((item, index) => {
		const order = compare(item.a, item.b);
		if (order > 0) give(index, 'a');
		else if (order < 0) give(index, 'b');
		else tied.push(index);
	});
	for (const index of tied) give(index, compare(totals.a, totals.b) <= 0 ? 'a' : 'b');

	let split: number | null = null;
	const lead = compare(totals.a, totals.b);
	if (lead !== 0) {
		const winner: Party = lead > 0 ? 'a' : 'b';
		const loser: Party = winner === 'a' ? 'b' : 'a';
		const owned = values
			.map((item, index) => ({ index, w: item[winner], l: item[loser] }))
			.filter(({ index }) =>
				winner === 'a' ? compare(shareA[index] ?? ZERO, ONE) === 0 : compare(shareA[index] ?? ZERO, ZERO) === 0,
			);
		// w/l ascending; items the loser does not value at all (l = 0) come last, since moving them helps nobody.
		owned.sort((x, y) => {
			if (x.l.num === 0n || y.l.num === 0n) {
				if (x.l.num !== 0n) return -1;
				if (y.l.num !== 0n) return 1;
			} else {
				const ratio = compare(mul(x.w, y.l), mul(y.w, x.l));
				if (ratio !== 0) return ratio;
			}
			return compare(x.w, y.w) || x.index - y.index;
		});
		for (const { index, w, l } of owned) {
			const afterWinner = sub(totals[winner], w);
			const afterLoser = add(totals[loser], l);
			if (compare(afterWinner, afterLoser) >= 0) {
				shareA[index] = winner === 'a' ? ZERO : ONE;
				totals[winner] = afterWinner;
				totals[loser] = afterLoser;
				if (compare(afterWinner, afterLoser) === 0) break;
				continue;
			}
			const toLoser = div(sub(totals[winner], totals[loser]), add(w, l));
			shareA[index] = winner === 'a' ? sub(ONE, toLoser) : toLoser;
			split = index;
			break;
		}
	}

	const allocations = values.map((item, index) => {
		const a = shareA[index] ?? ZERO;
		return { id: item.id, a: item.a, b: item.b, shareA: a, shareB: sub(ONE, a) };
	});
	const pointsA = allocations.reduce((total, item) => add(total, mul(item.a, item.shareA)), ZERO);
	const pointsB = allocations.reduce((total, item) => add(total, mul(item.b, item.shareB)), ZERO);
	return { allocations, split: split === null ? null : (allocations[split] ?? null), pointsA, pointsB };
}

export interface FairSplitItem {
	readonly id: string;
	readonly name: string;
	readonly giver: Side;
	/** The U.S. side's points for getting its way on this item, out of 100. */
	readonly usPoints: Fraction;
	readonly dprkPoints: Fraction;
	/** How much of the item the fair split has the giver give: 1 = all of it, 0 = none. */
	readonly givenShare: Fraction;
	/** `given` and `kept` say what happens to the item; `split` marks the one divided item. */
	readonly outcome: 'given' | 'kept' | 'split';
	/** The side that gets its way, or null for the split item. */
	readonly winner: Side | null;
}

export type FairSplitResult =
	| {
			readonly applicable: true;
			readonly items: readonly FairSplitItem[];
			readonly split: FairSplitItem | null;
			/** Each side's equal share, in its own points out of 100. */
			readonly share: Fraction;
			/** What each side gets, in its own points out of 100, if the package goes ahead exactly as proposed. */
			readonly asProposed: { readonly us: Fraction; readonly dprk: Fraction };
			readonly weightsSource: WeightsSource;
	  }
	| { readonly applicable: false; readonly reason: string; readonly weightsSource: WeightsSource };

export interface FairSplitOptions {
	readonly overrides?: WeightOverrides;
}

/**
 * The fair-split view of a package. Each item is an issue both sides care about: for an item North Korea gives,
 * the United States wants it given (its value) and North Korea wants to keep it (its cost), and the other way round
 * for U.S. items. Each side's points are scaled to 100 exactly, then Adjusted Winner divides the issues.
 */
export function fairSplit(
	input: PackageInput,
	catalog: readonly Concession[],
	options: FairSplitOptions = {},
): FairSplitResult {
	const resolved = resolvePackage(input, catalog, options.overrides);
	const { weightsSource } = resolved;
	const items = [...resolved.dprk, ...resolved.us];
	if (items.length === 0)
		return { applicable: false, reason: 'The package is empty, so there is nothing to split.', weightsSource };

	const raw = items.map((item) => {
		const receiverValue = item.valueToReceiver;
		const giverCost = item.costToGiver;
		return item.giver === 'dprk'
			? { item, us: receiverValue, dprk: giverCost }
			: { item, us: giverCost, dprk: receiverValue };
	});
	const usTotal = raw.reduce((total, entry) => total + entry.us, 0);
	const dprkTotal = raw.reduce((total, entry) => total + entry.dprk, 0);
	for (const [side, total] of [
		['the United States', usTotal],
		['North Korea', dprkTotal],
	] as const) {
		if (total === 0) {
			return {
				applicable: false,
				reason: `${side} puts no weight on anything in this package, so there is nothing to divide.`,
				weightsSource,
			};
		}
	}
	const scaled = raw.map((entry) => ({
		item: entry.item,
		us: fraction(100 * entry.us, usTotal),
		dprk: fraction(100 * entry.dprk, dprkTotal),
	}));
	const result = adjustedWinner(scaled.map((entry) => ({ id: entry.item.id, a: entry.us, b: entry.dprk })));

	const fairItems = scaled.map((entry, index): FairSplitItem => {
		const shareUs = result.allocations[index]?.shareA ?? ZERO;
		// The U.S. gets its way on a North Korean item when it is given, and on its own item when it is kept.
		const givenShare = entry.item.giver === 'dprk' ? shareUs : sub(ONE, shareUs);
		const whole = compare(givenShare, ONE) === 0 || compare(givenShare, ZERO) === 0;
		const outcome = !whole ? 'split' : compare(givenShare, ONE) === 0 ? 'given' : 'kept';
		const winner: Side | null = !whole ? null : compare(shareUs, ONE) === 0 ? 'us' : 'dprk';
		return {
			id: entry.item.id,
			name: entry.item.name,
			giver: entry.item.giver,
			usPoints: entry.us,
			dprkPoints: entry.dprk,
			givenShare,
			outcome,
			winner,
		};
	});
	const asProposed = {
		us: scaled.filter((entry) => entry.item.giver === 'dprk').reduce((total, entry) => add(total, entry.us), ZERO),
		dprk: scaled.filter((entry) => entry.item.giver === 'us').reduce((total, entry) => add(total, entry.dprk), ZERO),
	};
	return {
		applicable: true,
		items: fairItems,
		split: fairItems.find((item) => item.outcome === 'split') ?? null,
		share: result.pointsA,
		asProposed,
		weightsSource,
	};
}
