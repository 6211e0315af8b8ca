import type { Concession, ReversalSpeed, Side } from '../data/concession-schema.js';
import {
	type PackageInput,
	resolvePackage,
	type WeightedConcession,
	type WeightOverrides,
	type WeightsSource,
} from './weights.js';

export type BalanceInput = PackageInput;

/** A past deal as plain data; the caller derives the two lists from the deal dataset's commitments. */
export interface PastDeal {
	readonly id: string;
	readonly name: string;
	readonly year: number;
	readonly outcome: string;
	readonly status: string;
	readonly usGives: readonly string[];
	readonly dprkGives: readonly string[];
}

export interface BalanceOptions {
	readonly overrides?: WeightOverrides;
	readonly pastDeals?: readonly PastDeal[];
}

/**
 * The balance band: two nets count as balanced when they differ by at most `minTolerance` points, or by at most
 * `tolerancePercent` of everything exchanged (both sides' received totals), rounded down. A fixed band alone would
 * be too strict for big packages, where each weight is a judgement that can be a point off; a pure percentage would
 * call a 1-point gap in a 4-point package a tilt.
 */
export const BALANCE_BAND = { minTolerance: 2, tolerancePercent: 15 } as const;

export interface GivenItem {
	readonly id: string;
	readonly name: string;
	/** Cost as the giver itself sees it. */
	readonly cost: number;
}

export interface ReceivedItem {
	readonly id: string;
	readonly name: string;
	/** Value as the receiver itself sees it. */
	readonly value: number;
}

export interface SideLedger {
	readonly side: Side;
	readonly gives: readonly GivenItem[];
	readonly gets: readonly ReceivedItem[];
	readonly given: number;
	readonly received: number;
	/** received − given, both in this side's own view. */
	readonly net: number;
}

/**
 * - `balanced`: within the band and both sides gain by their own weights.
 * - `thin`: within the band, but at least one side does not gain.
 * - `tilted`: outside the band; `favours` is the side with the higher net.
 * - `one-sided`: one side gives nothing (`idle`), so there is no exchange to balance.
 * - `empty`: neither side gives anything.
 */
export type VerdictKind = 'balanced' | 'thin' | 'tilted' | 'one-sided' | 'empty';

export interface Verdict {
	readonly kind: VerdictKind;
	/** The side with the higher net, or null when the nets are equal. */
	readonly favours: Side | null;
	/** The side that gives nothing, for `one-sided`. */
	readonly idle: Side | null;
	/** Absolute difference between the two nets, in points. */
	readonly gap: number;
	readonly tolerance: number;
	readonly headline: string;
	readonly explanation: string;
}

export interface ReversibilityNote {
	readonly side: Side;
	/** Sum of what this side gives, valued by the receiver. */
	readonly givenValue: number;
	/** Percentage (0–100, rounded) of `givenValue` that could be undone within days; null when nothing of value is given. */
	readonly quickShare: number | null;
	/** Percentage of `givenValue` that would take months or longer to undo, or could not be undone. */
	readonly slowShare: number | null;
	readonly quickItems: readonly { readonly id: string; readonly name: string }[];
	readonly sentence: string;
}

export interface PhaseStep {
	readonly phase: number;
	readonly usGives: readonly string[];
	readonly dprkGives: readonly string[];
	/** How far behind each side is after this phase: given so far minus received so far, in its own view, if positive. */
	readonly usExposure: number;
	readonly dprkExposure: number;
}

export interface RiskNote {
	/** `phased` when the input spreads items over two or more phases; otherwise the risk is read from reversibility. */
	readonly mode: 'phased' | 'simultaneous';
	/** The side that carries the risk of moving first, or null when neither clearly does. */
	readonly bearer: Side | null;
	readonly phases: readonly PhaseStep[];
	/** Largest exposure before the last phase, per side (0 in simultaneous mode). */
	readonly maxExposure: { readonly us: number; readonly dprk: number };
	readonly sentence: string;
}

export interface VerificationNote {
	readonly unverifiable: readonly { readonly id: string; readonly name: string; readonly giver: Side }[];
	readonly sentence: string;
}

export interface Precedent {
	readonly id: string;
	readonly name: string;
	readonly year: number;
	readonly outcome: string;
	readonly status: string;
	/** Shared items over all items in either package (Jaccard), as a rounded percentage. */
	readonly similarity: number;
	readonly shared: readonly string[];
	readonly sentence: string;
}

export type Suggestion =
	| { readonly kind: 'already-balanced'; readonly sentence: string }
	| { readonly kind: 'none'; readonly sentence: string }
	| {
			readonly kind: 'change';
			readonly action: 'add' | 'remove';
			/** The side whose list changes (the giver of the item). */
			readonly side: Side;
			readonly id: string;
			readonly name: string;
			readonly costToGiver: number;
			readonly valueToReceiver: number;
			/** cost + value: how far the change moves the gap between the nets. */
			readonly pointsMoved: number;
			readonly reachesBalance: boolean;
			readonly resulting: { readonly kind: VerdictKind; readonly gap: number; readonly favours: Side | null };
			readonly sentence: string;
	  };

export interface ItemWeights {
	readonly id: string;
	readonly name: string;
	readonly giver: Side;
	readonly costToGiver: number;
	readonly valueToReceiver: number;
	readonly source: WeightsSource;
}

export interface BalanceResult {
	readonly us: SideLedger;
	readonly dprk: SideLedger;
	readonly verdict: Verdict;
	readonly reversibility: { readonly us: ReversibilityNote; readonly dprk: ReversibilityNote };
	readonly risk: RiskNote;
	readonly verification: VerificationNote;
	readonly precedent: Precedent | null;
	readonly suggestion: Suggestion;
	/** `server` when the server's own weights are in force for at least one catalog entry. */
	readonly weightsSource: WeightsSource;
	/** The weights used for every item in the package. */
	readonly weights: readonly ItemWeights[];
}

const SIDE_NAMES: Record<Side, string> = { us: 'the United States', dprk: 'North Korea' };
const OTHER: Record<Side, Side> = { us: 'dprk', dprk: 'us' };
const QUICK: ReadonlySet<ReversalSpeed> = new Set(['days']);
const SLOW: ReadonlySet<ReversalSpeed> = new Set(['months', 'years', 'irreversible']);

const sideName = (side: Side) => SIDE_NAMES[side];
const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const possessive = (side: Side) => (side === 'us' ? "the United States'" : "North Korea's");
const points = (n: number) => `${n} point${n === 1 ? '' : 's'}`;
const signed = (n: number) => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '0');
const percent = (part: number, whole: number) => Math.round((100 * part) / whole);
const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const worth = (n: number) => (n === 1 ? "1 point's worth" : `${n} points' worth`);
const gapPhrase = (gap: number) => (gap === 0 ? 'with equal nets' : `a gap of ${points(gap)}`);

/**
 * Catalog names are sentence-case. Mid-sentence they lose the capital, unless the first word holds a second capital
 * or a dot, which marks an acronym or a name (UN, U.S., Japan–North Korea).
 */
function inProse(name: string): string {
	const first = name.split(' ')[0] ?? '';
	return /[A-Z].*[A-Z.]/.test(first) ? name : name.charAt(0).toLowerCase() + name.slice(1);
}

function listNames(names: readonly string[]): string {
	if (names.length <= 1) return names.join('');
	return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

function sum(items: readonly WeightedConcession[], field: 'costToGiver' | 'valueToReceiver'): number {
	return items.reduce((total, item) => total + item[field], 0);
}

function buildLedgers(
	us: readonly WeightedConcession[],
	dprk: readonly WeightedConcession[],
): Record<Side, SideLedger> {
	const ledger = (side: Side, gives: readonly WeightedConcession[], gets: readonly WeightedConcession[]) => {
		const given = sum(gives, 'costToGiver');
		const received = sum(gets, 'valueToReceiver');
		return {
			side,
			gives: gives.map((item) => ({ id: item.id, name: item.name, cost: item.costToGiver })),
			gets: gets.map((item) => ({ id: item.id, name: item.name, value: item.valueToReceiver })),
			given,
			received,
			net: received - given,
		};
	};
	return { us: ledger('us', us, dprk), dprk: ledger('dprk', dprk, us) };
}

function judge(ledgers: Record<Side, SideLedger>): Verdict {
	const { us, dprk } = ledgers;
	const difference = us.net - dprk.net;
	const gap = Math.abs(difference);
	const favours: Side | null = difference > 0 ? 'us' : difference < 0 ? 'dprk' : null;
	const exchanged = us.received + dprk.received;
	const tolerance = Math.max(BALANCE_BAND.minTolerance, Math.floor((BALANCE_BAND.tolerancePercent * exchanged) / 100));
	const nets = `${sideName('us')} ${signed(us.net)}, ${sideName('dprk')} ${signed(dprk.net)}`;
	const base = { favours, gap, tolerance };

	if (us.gives.length === 0 && dprk.gives.length === 0) {
		return {
			...base,
			kind: 'empty',
			idle: null,
			headline: 'Nothing on the table',
			explanation: 'Neither side gives anything, so there is nothing to weigh. Add what each side gives.',
		};
	}
	for (const side of ['us', 'dprk'] as const) {
		if (ledgers[side].gives.length > 0) continue;
		const giver = ledgers[OTHER[side]];
		return {
			...base,
			kind: 'one-sided',
			idle: side,
			headline: `${capitalize(sideName(side))} gives nothing`,
			explanation: `${capitalize(sideName(giver.side))} gives ${worth(giver.given)} by its own weights and gets nothing back: a one-way gesture, not an exchange.`,
		};
	}
	if (gap <= tolerance) {
		const losers = (['us', 'dprk'] as const).filter((side) => ledgers[side].net <= 0);
		if (losers.length === 0) {
			return {
				...base,
				kind: 'balanced',
				idle: null,
				headline: 'Mutual gain, balanced',
				explanation: `Both sides come out ahead by their own weights (${nets}), and ${gap === 0 ? 'the nets are equal' : `the difference of ${points(gap)} is within the ±${tolerance} band for a package this size`}.`,
			};
		}
		const who = losers.length === 2 ? 'neither side gains' : `${sideName(losers[0] ?? 'us')} does not gain`;
		return {
			...base,
			kind: 'thin',
			idle: null,
			headline: 'Balanced but thin',
			explanation: `The nets are within ±${tolerance} of each other (${nets}), but ${who} by its own weights, so there is little reason to sign.`,
		};
	}
	const leader = favours ?? 'us';
	const trailer = OTHER[leader];
	const loses = ledgers[trailer].net < 0 ? ` ${capitalize(sideName(trailer))} would give more than it gets.` : '';
	return {
		...base,
		kind: 'tilted',
		idle: null,
		headline: `Tilted toward ${sideName(leader)} by ${points(gap)}`,
		explanation: `By their own weights: ${nets}. A difference of ${points(gap)} is beyond the ±${tolerance} band for a package this size.${loses}`,
	};
}

function reversibilityNote(side: Side, gives: readonly WeightedConcession[]): ReversibilityNote {
	const givenValue = sum(gives, 'valueToReceiver');
	const quick = gives.filter((item) => QUICK.has(item.entry.reversibility.speed));
	const quickValue = sum(quick, 'valueToReceiver');
	const slowValue = sum(
		gives.filter((item) => SLOW.has(item.entry.reversibility.speed)),
		'valueToReceiver',
	);
	const quickItems = quick.map((item) => ({ id: item.id, name: item.name }));
	const base = { side, givenValue, quickItems };
	if (gives.length === 0) {
		return { ...base, quickShare: null, slowShare: null, sentence: `${capitalize(sideName(side))} gives nothing.` };
	}
	if (givenValue === 0) {
		return {
			...base,
			quickShare: null,
			slowShare: null,
			sentence: `What ${sideName(side)} gives is worth nothing to ${sideName(OTHER[side])} by the weights in use.`,
		};
	}
	const quickShare = percent(quickValue, givenValue);
	const whose = `(by ${possessive(OTHER[side])} valuation)`;
	const sentence =
		quickValue === 0
			? `None of what ${sideName(side)} gives could be undone within days.`
			: `${quickShare}% of what ${sideName(side)} gives ${whose} could be undone within days: ${listNames(quick.map((item) => inProse(item.name)))}.`;
	return { ...base, quickShare, slowShare: percent(slowValue, givenValue), sentence };
}

function phasedRisk(
	us: readonly WeightedConcession[],
	dprk: readonly WeightedConcession[],
	phaseOf: ReadonlyMap<string, number>,
): RiskNote | null {
	const phaseNumber = (item: WeightedConcession) => phaseOf.get(item.id) ?? 1;
	const numbers = [...new Set([...us, ...dprk].map(phaseNumber))].sort((a, b) => a - b);
	if (phaseOf.size === 0 || numbers.length < 2) return null;

	const totals = { usGiven: 0, usReceived: 0, dprkGiven: 0, dprkReceived: 0 };
	const steps: PhaseStep[] = numbers.map((phase) => {
		const usNow = us.filter((item) => phaseNumber(item) === phase);
		const dprkNow = dprk.filter((item) => phaseNumber(item) === phase);
		totals.usGiven += sum(usNow, 'costToGiver');
		totals.dprkReceived += sum(usNow, 'valueToReceiver');
		totals.dprkGiven += sum(dprkNow, 'costToGiver');
		totals.usReceived += sum(dprkNow, 'valueToReceiver');
		return {
			phase,
			usGives: usNow.map((item) => item.id),
			dprkGives: dprkNow.map((item) => item.id),
			usExposure: Math.max(0, totals.usGiven - totals.usReceived),
			dprkExposure: Math.max(0, totals.dprkGiven - totals.dprkReceived),
		};
	});
	// After the last phase any shortfall is the package's tilt, not the risk of going first.
	const interim = steps.slice(0, -1);
	const exposureOf = (step: PhaseStep, side: Side) => (side === 'us' ? step.usExposure : step.dprkExposure);
	const maxExposure = {
		us: Math.max(0, ...interim.map((step) => step.usExposure)),
		dprk: Math.max(0, ...interim.map((step) => step.dprkExposure)),
	};
	if (maxExposure.us === maxExposure.dprk) {
		const sentence =
			maxExposure.us === 0
				? 'Neither side is ever behind before the last phase: each phase pays as it goes.'
				: `Both sides are at most ${points(maxExposure.us)} behind before the last phase, so the risk of going first is shared.`;
		return { mode: 'phased', bearer: null, phases: steps, maxExposure, sentence };
	}
	const bearer: Side = maxExposure.us > maxExposure.dprk ? 'us' : 'dprk';
	const exposure = maxExposure[bearer];
	const worstPhase = interim.find((step) => exposureOf(step, bearer) === exposure)?.phase ?? 1;
	const sentence = `${capitalize(sideName(bearer))} carries the risk of moving first: after phase ${worstPhase} it is ${points(exposure)} behind by its own weights, until ${sideName(OTHER[bearer])} delivers.`;
	return { mode: 'phased', bearer, phases: steps, maxExposure, sentence };
}

function simultaneousRisk(
	notes: Record<Side, ReversibilityNote>,
	ledgers: Record<Side, SideLedger>,
	/** Phases were given but all items share one, so there is no order to read risk from. */
	onePhaseGiven: boolean,
): RiskNote {
	const opening = onePhaseGiven ? 'All items are in one phase.' : 'No phases given.';
	const base = { mode: 'simultaneous' as const, phases: [], maxExposure: { us: 0, dprk: 0 } };
	const usGives = ledgers.us.gives.length > 0;
	const dprkGives = ledgers.dprk.gives.length > 0;
	if (!usGives && !dprkGives)
		return { ...base, bearer: null, sentence: `${opening} Nothing is given, so nobody is at risk.` };
	if (usGives !== dprkGives) {
		const bearer: Side = usGives ? 'us' : 'dprk';
		return {
			...base,
			bearer,
			sentence: `${capitalize(sideName(OTHER[bearer]))} gives nothing, so ${sideName(bearer)} carries all the risk.`,
		};
	}
	const usSlow = notes.us.slowShare;
	const dprkSlow = notes.dprk.slowShare;
	if (usSlow === null || dprkSlow === null) {
		return {
			...base,
			bearer: null,
			sentence: `${opening} What one side gives is worth nothing to the other by the weights in use, so the risk cannot be read.`,
		};
	}
	if (usSlow === dprkSlow) {
		return {
			...base,
			bearer: null,
			sentence:
				usSlow === 0
					? `${opening} If both move at once, neither side is locked in: everything either side gives could be undone within weeks.`
					: `${opening} If both move at once, neither side is more locked in: ${usSlow}% of each side's steps would take months or more to undo.`,
		};
	}
	const bearer: Side = usSlow > dprkSlow ? 'us' : 'dprk';
	const other = OTHER[bearer];
	return {
		...base,
		bearer,
		sentence: `${opening} If both move at once, ${sideName(bearer)} carries more risk: ${notes[bearer].slowShare}% of what it gives would take months or more to undo, against ${notes[other].slowShare}% of what ${sideName(other)} gives.`,
	};
}

function verificationNote(items: readonly WeightedConcession[]): VerificationNote {
	const unverifiable = items
		.filter((item) => item.entry.verification.level === 'none')
		.map((item) => ({ id: item.id, name: item.name, giver: item.giver }));
	const sentence =
		items.length === 0
			? 'Nothing to verify.'
			: unverifiable.length === 0
				? 'Every item can be checked in some way, from outside or on site.'
				: `Cannot be verified: ${listNames(unverifiable.map((item) => `${inProse(item.name)} (${item.giver === 'us' ? 'U.S.' : 'North Korea'})`))}.`;
	return { unverifiable, sentence };
}

function closestPrecedent(ids: ReadonlySet<string>, pastDeals: readonly PastDeal[]): Precedent | null {
	if (ids.size === 0) return null;
	let best: { deal: PastDeal; shared: string[]; union: number } | null = null;
	for (const deal of pastDeals) {
		const theirs = new Set([...deal.usGives, ...deal.dprkGives]);
		const shared = [...ids].filter((id) => theirs.has(id)).sort(byId);
		if (shared.length === 0) continue;
		const union = new Set([...ids, ...theirs]).size;
		if (best === null) {
			best = { deal, shared, union };
			continue;
		}
		// Compare shared/union exactly by cross-multiplying; then more overlap, the later deal, the id.
		const order =
			shared.length * best.union - best.shared.length * union ||
			shared.length - best.shared.length ||
			deal.year - best.deal.year ||
			byId(best.deal.id, deal.id);
		if (order > 0) best = { deal, shared, union };
	}
	if (best === null) return null;
	const { deal, shared, union } = best;
	const similarity = percent(shared.length, union);
	return {
		id: deal.id,
		name: deal.name,
		year: deal.year,
		outcome: deal.outcome,
		status: deal.status,
		similarity,
		shared,
		sentence: `Closest precedent: ${deal.name} (${deal.year}), with ${shared.length} of ${union} items in common (${similarity}%). What became of it: ${deal.outcome}`,
	};
}

interface Candidate {
	readonly action: 'add' | 'remove';
	readonly item: WeightedConcession;
	readonly verdict: Verdict;
}

function describeChange(action: 'add' | 'remove', item: WeightedConcession): string {
	const giver = sideName(item.giver);
	return action === 'add'
		? `${giver} also gives ${inProse(item.name)}`
		: `${giver} no longer gives ${inProse(item.name)}`;
}

function rebalance(
	us: readonly WeightedConcession[],
	dprk: readonly WeightedConcession[],
	all: readonly WeightedConcession[],
	current: Verdict,
): Suggestion {
	if (current.kind === 'balanced' || current.kind === 'thin') {
		return { kind: 'already-balanced', sentence: 'Already within the balance band: no change needed.' };
	}
	if (current.kind === 'empty') {
		return { kind: 'none', sentence: 'Nothing to rebalance yet: add what each side gives.' };
	}
	const inPackage = new Set([...us, ...dprk].map((item) => item.id));
	const candidates: Candidate[] = all.map((item) => {
		const action = inPackage.has(item.id) ? 'remove' : 'add';
		const keep = (candidate: WeightedConcession) =>
			candidate.id === item.id ? action === 'add' : inPackage.has(candidate.id);
		const next = all.filter(keep);
		const verdict = judge(
			buildLedgers(
				next.filter((candidate) => candidate.giver === 'us'),
				next.filter((candidate) => candidate.giver === 'dprk'),
			),
		);
		return { action, item, verdict };
	});
	const moved = (candidate: Candidate) => candidate.item.costToGiver + candidate.item.valueToReceiver;
	// Prefer a result where both sides gain, then the smallest remaining gap, then the smallest change.
	const rank = (a: Candidate, b: Candidate) =>
		Number(a.verdict.kind !== 'balanced') - Number(b.verdict.kind !== 'balanced') ||
		a.verdict.gap - b.verdict.gap ||
		moved(a) - moved(b) ||
		byId(a.item.id, b.item.id);

	const reaching = candidates.filter((c) => c.verdict.kind === 'balanced' || c.verdict.kind === 'thin').sort(rank);
	const improving = candidates
		.filter((c) => c.verdict.kind === 'tilted' && (current.kind === 'one-sided' || c.verdict.gap < current.gap))
		.sort(rank);
	const chosen = reaching[0] ?? improving[0];
	if (chosen === undefined) {
		return { kind: 'none', sentence: 'No single change from the catalog brings this package closer to balance.' };
	}
	const reachesBalance = chosen === reaching[0];
	const change = describeChange(chosen.action, chosen.item);
	const after = inProse(chosen.verdict.headline);
	const sentence = reachesBalance
		? `Smallest change that balances it: ${change}. Result: ${after}, ${gapPhrase(chosen.verdict.gap)}.`
		: `No single change from the catalog balances it. The closest: ${change}, which leaves it ${after}.`;
	return {
		kind: 'change',
		action: chosen.action,
		side: chosen.item.giver,
		id: chosen.item.id,
		name: chosen.item.name,
		costToGiver: chosen.item.costToGiver,
		valueToReceiver: chosen.item.valueToReceiver,
		pointsMoved: moved(chosen),
		reachesBalance,
		resulting: { kind: chosen.verdict.kind, gap: chosen.verdict.gap, favours: chosen.verdict.favours },
		sentence,
	};
}

/**
 * Weighs a proposed package by each side's own valuation. Pure and deterministic: the same input, catalog and
 * options always give a deep-equal result. Throws TypeError on ids that are not in the catalog.
 */
export function checkBalance(
	input: BalanceInput,
	catalog: readonly Concession[],
	options: BalanceOptions = {},
): BalanceResult {
	const resolved = resolvePackage(input, catalog, options.overrides);
	const { us, dprk } = resolved;
	const ledgers = buildLedgers(us, dprk);
	const verdict = judge(ledgers);
	const reversibility = { us: reversibilityNote('us', us), dprk: reversibilityNote('dprk', dprk) };
	const items = [...dprk, ...us];
	const risk =
		phasedRisk(us, dprk, resolved.phaseOf) ?? simultaneousRisk(reversibility, ledgers, resolved.phaseOf.size > 0);
	return {
		us: ledgers.us,
		dprk: ledgers.dprk,
		verdict,
		reversibility,
		risk,
		verification: verificationNote(items),
		precedent: closestPrecedent(new Set(items.map((item) => item.id)), options.pastDeals ?? []),
		suggestion: rebalance(us, dprk, resolved.all, verdict),
		weightsSource: resolved.weightsSource,
		weights: items.map((item) => ({
			id: item.id,
			name: item.name,
			giver: item.giver,
			costToGiver: item.costToGiver,
			valueToReceiver: item.valueToReceiver,
			source: item.overridden ? 'server' : 'default',
		})),
	};
}

/** The package with a suggested change applied; any other suggestion leaves it as it was. */
export function applySuggestion(input: BalanceInput, suggestion: Suggestion): BalanceInput {
	if (suggestion.kind !== 'change') return input;
	const key = suggestion.side === 'us' ? 'usGives' : 'dprkGives';
	const current = input[key];
	const updated =
		suggestion.action === 'add'
			? current.includes(suggestion.id)
				? [...current]
				: [...current, suggestion.id]
			: current.filter((id) => id !== suggestion.id);
	const next: BalanceInput = { ...input, [key]: updated };
	if (input.phases === undefined || suggestion.action === 'add') return next;
	const phases = Object.fromEntries(Object.entries(input.phases).filter(([id]) => id !== suggestion.id));
	return { ...next, phases };
}
