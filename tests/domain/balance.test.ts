import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	type Concession,
	type ConcessionId,
	DEAL_IDS,
	DPRK_CONCESSION_IDS,
	type ReversalSpeed,
	type Side,
	US_CONCESSION_IDS,
	type VerificationLevel,
} from '../../src/data/concession-schema.js';
import { loadConcessions } from '../../src/data/concessions.js';
import { fairSplit } from '../../src/domain/adjusted-winner.js';
import {
	applySuggestion,
	type BalanceInput,
	type BalanceResult,
	checkBalance,
	type PastDeal,
} from '../../src/domain/balance.js';
import { validateWeightOverride, type WeightOverrides } from '../../src/domain/weights.js';

const catalog = loadConcessions().concessions;

function entry(
	id: ConcessionId,
	costToGiver: number,
	valueToReceiver: number,
	speed: ReversalSpeed = 'weeks',
	level: VerificationLevel = 'visible',
): Concession {
	const giver = (DPRK_CONCESSION_IDS as readonly string[]).includes(id) ? 'dprk' : 'us';
	return {
		id,
		giver,
		name: `Item ${id}`,
		aliases: [id],
		description: 'test entry',
		costToGiver,
		valueToReceiver,
		rationale: 'test weights',
		sources: ['TEST'],
		reversibility: { speed, text: 'test' },
		verification: { level, text: 'test' },
		deals: [],
		reportedIn: [],
	};
}

/** Hand-sized weights so every expected number below can be checked by hand. */
const fixture = [
	entry('yongbyon-freeze', 4, 5, 'weeks', 'on-site'),
	entry('disablement', 5, 6, 'months', 'on-site'),
	entry('nuclear-test-moratorium', 2, 4, 'days', 'national-means'),
	entry('non-transfer', 2, 3, 'days', 'none'),
	entry('remains-return', 1, 3, 'irreversible', 'visible'),
	entry('full-denuclearization', 10, 10, 'years', 'on-site'),
	entry('heavy-fuel-oil', 3, 4, 'weeks', 'visible'),
	entry('food-aid', 2, 3, 'days', 'visible'),
	entry('security-assurances', 1, 3, 'days', 'none'),
	entry('un-sanctions-relief', 7, 8, 'years', 'visible'),
	entry('terror-list-removal', 3, 4, 'weeks', 'visible'),
];

const check = (input: BalanceInput, entries: readonly Concession[] = fixture, overrides?: WeightOverrides) =>
	checkBalance(input, entries, overrides === undefined ? {} : { overrides });

describe('checkBalance: ledgers and verdicts', () => {
	it("totals each side's gives and gets in its own view", () => {
		const result = check({ dprkGives: ['yongbyon-freeze', 'remains-return'], usGives: ['heavy-fuel-oil', 'food-aid'] });
		expect(result.us).toMatchObject({ given: 5, received: 8, net: 3 });
		expect(result.dprk).toMatchObject({ given: 5, received: 7, net: 2 });
		expect(result.us.gives).toEqual([
			{ id: 'heavy-fuel-oil', name: 'Item heavy-fuel-oil', cost: 3 },
			{ id: 'food-aid', name: 'Item food-aid', cost: 2 },
		]);
		expect(result.dprk.gets.map((item) => item.value)).toEqual([4, 3]);
		expect(result.verdict).toMatchObject({
			kind: 'balanced',
			headline: 'Mutual gain, balanced',
			gap: 1,
			favours: 'us',
		});
	});

	it('calls a package balanced but thin when one side does not gain', () => {
		const result = check({ dprkGives: ['yongbyon-freeze'], usGives: ['heavy-fuel-oil'] });
		expect(result.verdict).toMatchObject({ kind: 'thin', headline: 'Balanced but thin', gap: 2 });
		expect(result.verdict.explanation).toMatch(/North Korea does not gain/);
	});

	// One North Korean item for one U.S. item, with weights set through overrides.
	it.each([
		{ name: 'a 3-point gap in a 20-point exchange is balanced', weights: [3, 10, 0, 10], kind: 'balanced', gap: 3 },
		{ name: 'a 4-point gap in a 20-point exchange is tilted', weights: [4, 10, 0, 10], kind: 'tilted', gap: 4 },
		{ name: 'a 2-point gap is always within the band', weights: [0, 3, 0, 1], kind: 'balanced', gap: 2 },
		{ name: 'a 3-point gap in a small exchange is tilted', weights: [0, 4, 0, 1], kind: 'tilted', gap: 3 },
	])('$name', ({ weights: [dprkCost, dprkValue, usCost, usValue], kind, gap }) => {
		const result = check({ dprkGives: ['yongbyon-freeze'], usGives: ['heavy-fuel-oil'] }, fixture, {
			'yongbyon-freeze': { costToGiver: dprkCost, valueToReceiver: dprkValue },
			'heavy-fuel-oil': { costToGiver: usCost, valueToReceiver: usValue },
		});
		expect(result.verdict).toMatchObject({ kind, gap });
	});

	it('says how far a package tilts and who would lose by its own weights', () => {
		const result = check({ dprkGives: ['disablement'], usGives: ['un-sanctions-relief'] });
		expect(result.verdict).toMatchObject({ kind: 'tilted', favours: 'dprk', gap: 4, tolerance: 2 });
		expect(result.verdict.headline).toBe('Tilted toward North Korea by 4 points');
		expect(result.verdict.explanation).toMatch(/the United States −1, North Korea \+3/);
		expect(result.verdict.explanation).toMatch(/The United States would give more than it gets/);
	});

	it('treats an empty side as a verdict, not an error', () => {
		const result = check({ dprkGives: [], usGives: ['heavy-fuel-oil'] });
		expect(result.verdict).toMatchObject({ kind: 'one-sided', idle: 'dprk', headline: 'North Korea gives nothing' });
		expect(result.verdict.explanation).toMatch(/gives 3 points' worth by its own weights and gets nothing back/);
		expect(check({ dprkGives: ['yongbyon-freeze'], usGives: [] }).verdict.headline).toBe(
			'The United States gives nothing',
		);
	});

	it('has a clear verdict for an empty package', () => {
		const result = check({ dprkGives: [], usGives: [] });
		expect(result.verdict).toMatchObject({ kind: 'empty', headline: 'Nothing on the table' });
		expect(result.suggestion.kind).toBe('none');
		expect(result.precedent).toBeNull();
		expect(result.risk.sentence).toMatch(/nobody is at risk/);
	});

	it('ignores repeated ids', () => {
		expect(check({ dprkGives: ['yongbyon-freeze', 'yongbyon-freeze'], usGives: ['food-aid'] })).toEqual(
			check({ dprkGives: ['yongbyon-freeze'], usGives: ['food-aid'] }),
		);
	});

	it.each([
		{ name: 'an unknown id', input: { dprkGives: ['nonsense'], usGives: [] } },
		{ name: 'an item on the wrong side', input: { dprkGives: ['food-aid'], usGives: [] } },
		{
			name: 'a phase for an item not in the package',
			input: { dprkGives: [], usGives: [], phases: { 'food-aid': 1 } },
		},
		{ name: 'a phase below 1', input: { dprkGives: [], usGives: ['food-aid'], phases: { 'food-aid': 0 } } },
	])('throws TypeError on $name (a programming error)', ({ input }) => {
		expect(() => check(input)).toThrow(TypeError);
	});
});

describe('checkBalance: reversibility, sequencing and verification', () => {
	it('reports the share of a side’s concessions that could be undone within days', () => {
		const result = check({
			dprkGives: ['yongbyon-freeze', 'nuclear-test-moratorium', 'non-transfer'],
			usGives: ['heavy-fuel-oil'],
		});
		// Valued by the U.S.: 5 + 4 + 3 = 12, of which 4 + 3 can be undone within days.
		expect(result.reversibility.dprk).toMatchObject({ givenValue: 12, quickShare: 58, slowShare: 0 });
		expect(result.reversibility.dprk.sentence).toBe(
			"58% of what North Korea gives (by the United States' valuation) could be undone within days: item nuclear-test-moratorium and item non-transfer.",
		);
		expect(result.reversibility.us.sentence).toBe('None of what the United States gives could be undone within days.');
	});

	it('without phases, puts the risk on the side whose steps are slower to undo', () => {
		const result = check({ dprkGives: ['disablement', 'nuclear-test-moratorium'], usGives: ['food-aid'] });
		expect(result.risk).toMatchObject({ mode: 'simultaneous', bearer: 'dprk' });
		expect(result.risk.sentence).toMatch(/North Korea carries more risk: 60% of what it gives .* against 0%/);
	});

	it('with phases, tracks running exposure and names who moves first', () => {
		const result = check({
			dprkGives: ['yongbyon-freeze', 'disablement'],
			usGives: ['heavy-fuel-oil', 'terror-list-removal'],
			phases: { 'yongbyon-freeze': 1, disablement: 2, 'heavy-fuel-oil': 2, 'terror-list-removal': 3 },
		});
		expect(result.risk.mode).toBe('phased');
		expect(result.risk.phases).toEqual([
			{ phase: 1, usGives: [], dprkGives: ['yongbyon-freeze'], usExposure: 0, dprkExposure: 4 },
			{ phase: 2, usGives: ['heavy-fuel-oil'], dprkGives: ['disablement'], usExposure: 0, dprkExposure: 5 },
			{ phase: 3, usGives: ['terror-list-removal'], dprkGives: [], usExposure: 0, dprkExposure: 1 },
		]);
		expect(result.risk.maxExposure).toEqual({ us: 0, dprk: 5 });
		expect(result.risk.bearer).toBe('dprk');
		expect(result.risk.sentence).toMatch(
			/North Korea carries the risk of moving first: after phase 2 it is 5 points behind/,
		);
	});

	it('treats a one-phase package as simultaneous', () => {
		const result = check({
			dprkGives: ['yongbyon-freeze'],
			usGives: ['heavy-fuel-oil'],
			phases: { 'yongbyon-freeze': 1, 'heavy-fuel-oil': 1 },
		});
		expect(result.risk.mode).toBe('simultaneous');
		expect(result.risk.sentence).toMatch(/^All items are in one phase\./);
	});

	it('lists what cannot be verified', () => {
		const result = check({ dprkGives: ['non-transfer', 'yongbyon-freeze'], usGives: ['security-assurances'] });
		expect(result.verification.unverifiable.map((item) => item.id)).toEqual(['non-transfer', 'security-assurances']);
		expect(result.verification.sentence).toBe(
			'Cannot be verified: item non-transfer (North Korea) and item security-assurances (U.S.).',
		);
	});
});

describe('checkBalance: closest precedent', () => {
	const deal = (id: string, year: number, usGives: string[], dprkGives: string[]): PastDeal => ({
		id,
		name: `Deal ${id}`,
		year,
		outcome: `what became of ${id}`,
		status: 'collapsed',
		usGives,
		dprkGives,
	});
	const input = { dprkGives: ['yongbyon-freeze'], usGives: ['heavy-fuel-oil'] };

	it('picks the deal with the most similar set of concessions and says what became of it', () => {
		const pastDeals = [
			deal('wide', 2010, ['heavy-fuel-oil', 'food-aid'], ['yongbyon-freeze', 'remains-return']),
			deal('exact', 1994, ['heavy-fuel-oil'], ['yongbyon-freeze']),
			deal('unrelated', 2019, ['un-sanctions-relief'], ['disablement']),
		];
		const result = checkBalance(input, fixture, { pastDeals });
		expect(result.precedent).toMatchObject({
			id: 'exact',
			similarity: 100,
			shared: ['heavy-fuel-oil', 'yongbyon-freeze'],
		});
		expect(result.precedent?.sentence).toBe(
			'Closest precedent: Deal exact (1994), with 2 of 2 items in common (100%). What became of it: what became of exact',
		);
	});

	it('breaks ties by overlap, then the later deal, then the id', () => {
		// Both 50%: "one" shares 1 of 2 items, "two" shares 2 of 4; more overlap wins over a later year.
		const byOverlap = checkBalance(input, fixture, {
			pastDeals: [
				deal('one', 2019, ['heavy-fuel-oil'], []),
				deal('two', 1994, ['heavy-fuel-oil', 'food-aid'], ['yongbyon-freeze', 'remains-return']),
			],
		});
		expect(byOverlap.precedent).toMatchObject({ id: 'two', similarity: 50 });
		const big = { dprkGives: ['yongbyon-freeze', 'remains-return'], usGives: ['heavy-fuel-oil', 'food-aid'] };
		const byYear = checkBalance(big, fixture, {
			pastDeals: [deal('old', 1994, ['heavy-fuel-oil'], []), deal('new', 2007, ['food-aid'], [])],
		});
		expect(byYear.precedent?.id).toBe('new');
		const byId = checkBalance(big, fixture, {
			pastDeals: [deal('b', 2007, ['heavy-fuel-oil'], []), deal('a', 2007, ['food-aid'], [])],
		});
		expect(byId.precedent?.id).toBe('a');
	});

	it('reports no precedent when nothing is shared', () => {
		expect(checkBalance(input, fixture, { pastDeals: [deal('x', 2000, ['food-aid'], [])] }).precedent).toBeNull();
	});
});

describe('checkBalance: rebalancing suggestion', () => {
	it('finds the smallest single change that balances a tilted package', () => {
		const input = { dprkGives: ['disablement'], usGives: ['un-sanctions-relief'] };
		const result = check(input);
		// Gap 4 toward North Korea; the remains (1 + 3 = 4 points) close it exactly with both sides gaining.
		expect(result.suggestion).toMatchObject({
			kind: 'change',
			action: 'add',
			side: 'dprk',
			id: 'remains-return',
			pointsMoved: 4,
			reachesBalance: true,
			resulting: { kind: 'balanced', gap: 0, favours: null },
		});
		expect(result.suggestion.sentence).toBe(
			'Smallest change that balances it: North Korea also gives item remains-return. Result: mutual gain, balanced, with equal nets.',
		);
		expect(check(applySuggestion(input, result.suggestion)).verdict.kind).toBe('balanced');
	});

	it('prefers a result where both sides gain over a smaller gap where one does not', () => {
		const entries = [
			entry('yongbyon-freeze', 4, 9),
			entry('heavy-fuel-oil', 1, 2),
			entry('food-aid', 9, 1),
			entry('security-assurances', 1, 8),
		];
		const result = check({ dprkGives: ['yongbyon-freeze'], usGives: ['heavy-fuel-oil'] }, entries);
		// Food aid would leave equal nets of −1 each (thin); assurances leave +7 and +6.
		expect(result.suggestion).toMatchObject({ id: 'security-assurances', resulting: { kind: 'balanced', gap: 1 } });
	});

	it('prefers fewer points moved, then the lower id, when the remaining gap is equal', () => {
		const entries = [
			entry('yongbyon-freeze', 4, 9),
			entry('heavy-fuel-oil', 1, 2),
			entry('terror-list-removal', 5, 6),
			entry('liaison-offices', 4, 5),
			entry('food-aid', 4, 5),
		];
		const result = check({ dprkGives: ['yongbyon-freeze'], usGives: ['heavy-fuel-oil'] }, entries);
		// Gap 10: terror-list (11 points) leaves 1 the other way; liaison offices and food aid (9 each) leave 1.
		expect(result.suggestion).toMatchObject({ id: 'food-aid', pointsMoved: 9, resulting: { gap: 1 } });
	});

	it('can suggest taking an item off the table', () => {
		const entries = [
			entry('yongbyon-freeze', 4, 5),
			entry('nuclear-test-moratorium', 2, 4),
			entry('heavy-fuel-oil', 3, 4),
		];
		const input = { dprkGives: ['yongbyon-freeze', 'nuclear-test-moratorium'], usGives: ['heavy-fuel-oil'] };
		const result = check(input, entries);
		expect(result.suggestion).toMatchObject({
			action: 'remove',
			side: 'dprk',
			id: 'yongbyon-freeze',
			reachesBalance: true,
		});
		expect(result.suggestion.sentence).toMatch(/North Korea no longer gives item yongbyon-freeze/);
		expect(applySuggestion({ ...input, phases: { 'yongbyon-freeze': 2 } }, result.suggestion)).toEqual({
			dprkGives: ['nuclear-test-moratorium'],
			usGives: ['heavy-fuel-oil'],
			phases: {},
		});
	});

	it('offers the closest improvement when no single change balances the package', () => {
		const entries = [entry('full-denuclearization', 10, 10), entry('food-aid', 0, 1), entry('heavy-fuel-oil', 3, 4)];
		const result = check({ dprkGives: ['full-denuclearization'], usGives: ['food-aid'] }, entries);
		expect(result.suggestion).toMatchObject({ kind: 'change', id: 'heavy-fuel-oil', reachesBalance: false });
		expect(result.suggestion.sentence).toMatch(/^No single change from the catalog balances it\. The closest: /);
	});

	it('never suggests emptying a side, and says so when nothing else helps', () => {
		const entries = [entry('full-denuclearization', 10, 10), entry('food-aid', 0, 1)];
		const result = check({ dprkGives: ['full-denuclearization'], usGives: ['food-aid'] }, entries);
		expect(result.suggestion.kind).toBe('none');
	});

	it('leaves a balanced package alone', () => {
		const input = { dprkGives: ['yongbyon-freeze', 'remains-return'], usGives: ['heavy-fuel-oil', 'food-aid'] };
		const result = check(input);
		expect(result.suggestion.kind).toBe('already-balanced');
		expect(applySuggestion(input, result.suggestion)).toBe(input);
	});
});

describe('checkBalance: server weights', () => {
	it('uses and reports server weights per item', () => {
		const input = { dprkGives: ['yongbyon-freeze'], usGives: ['heavy-fuel-oil'] };
		expect(check(input).weightsSource).toBe('default');
		const result = check(input, fixture, { 'yongbyon-freeze': { valueToReceiver: 9 } });
		expect(result.weightsSource).toBe('server');
		expect(result.us.received).toBe(9);
		expect(result.weights).toEqual([
			{
				id: 'yongbyon-freeze',
				name: 'Item yongbyon-freeze',
				giver: 'dprk',
				costToGiver: 4,
				valueToReceiver: 9,
				source: 'server',
			},
			{
				id: 'heavy-fuel-oil',
				name: 'Item heavy-fuel-oil',
				giver: 'us',
				costToGiver: 3,
				valueToReceiver: 4,
				source: 'default',
			},
		]);
	});

	it('ignores overrides for ids no longer in the catalog', () => {
		const result = check({ dprkGives: ['yongbyon-freeze'], usGives: [] }, fixture, {
			'retired-id': { costToGiver: 1 },
		});
		expect(result.weightsSource).toBe('default');
	});

	it('refuses to compute with out-of-range weights', () => {
		expect(() =>
			check({ dprkGives: ['yongbyon-freeze'], usGives: [] }, fixture, { 'yongbyon-freeze': { costToGiver: 99 } }),
		).toThrow(TypeError);
	});

	it.each([
		{
			proposed: { costToGiver: 42 },
			message: 'Weights must be whole numbers from 0 to 10: cost to the giver 42 is not allowed.',
		},
		{
			proposed: { valueToReceiver: -1 },
			message: 'Weights must be whole numbers from 0 to 10: value to the receiver -1 is not allowed.',
		},
		{
			proposed: { costToGiver: 2.5, valueToReceiver: 11 },
			message: /cost to the giver 2\.5 .*value to the receiver 11/,
		},
		{ proposed: {}, message: 'Give a cost to the giver, a value to the receiver, or both.' },
	])('refuses absurd weights with the allowed range: $proposed', ({ proposed, message }) => {
		const result = validateWeightOverride('yongbyon-freeze', proposed, fixture);
		expect(result.ok).toBe(false);
		expect(result.ok ? '' : result.message).toMatch(message);
	});

	it('accepts weights on the scale and rejects unknown concessions', () => {
		expect(validateWeightOverride('yongbyon-freeze', { costToGiver: 0, valueToReceiver: 10 }, fixture)).toEqual({
			ok: true,
			override: { costToGiver: 0, valueToReceiver: 10 },
		});
		expect(validateWeightOverride('nonsense', { costToGiver: 1 }, fixture)).toEqual({
			ok: false,
			message: 'There is no concession "nonsense".',
		});
	});
});

describe('checkBalance on the real catalog', () => {
	it('finds the Leap Day package tilted toward the United States, all of it quickly reversible', () => {
		const input = {
			dprkGives: ['nuclear-test-moratorium', 'missile-test-moratorium', 'enrichment-moratorium', 'iaea-monitoring'],
			usGives: ['food-aid', 'security-assurances'],
		};
		const result = checkBalance(input, catalog);
		expect(result.verdict).toMatchObject({ kind: 'tilted', favours: 'us' });
		expect(result.dprk.net).toBeLessThan(0);
		expect(result.reversibility.dprk.quickShare).toBe(100);
		expect(result.reversibility.us.quickShare).toBe(100);
		expect(result.verification.unverifiable.map((item) => item.id)).toEqual(['security-assurances']);
		expect(result.suggestion).toMatchObject({ kind: 'change', side: 'us', action: 'add', reachesBalance: true });
	});

	it('finds the Hanoi ask tilted toward North Korea, with the U.S. giving more than it gets', () => {
		const result = checkBalance({ dprkGives: ['yongbyon-dismantlement'], usGives: ['un-sanctions-relief'] }, catalog);
		expect(result.verdict).toMatchObject({ kind: 'tilted', favours: 'dprk' });
		expect(result.us.net).toBeLessThan(0);
		expect(result.dprk.net).toBeGreaterThan(0);
		expect(result.verdict.explanation).toMatch(/The United States would give more than it gets/);
		expect(result.suggestion).toMatchObject({ kind: 'change', side: 'dprk', reachesBalance: true });
	});
});

const giverOf = new Map<string, Side>(catalog.map((item) => [item.id, item.giver]));

/** Past deals from data/deals when the dataset is present, routed to a side by each concession's giver. */
function pastDealsFromDataset(): PastDeal[] {
	const dir = fileURLToPath(new URL('../../data/deals', import.meta.url));
	if (!existsSync(dir)) return [];
	return readdirSync(dir)
		.filter((name) => name.endsWith('.json'))
		.map((name) => {
			const deal = JSON.parse(readFileSync(`${dir}/${name}`, 'utf8')) as {
				id: string;
				name: string;
				date: { start: string };
				outcome: string;
				status: string;
				commitments: { concession: string | null }[];
			};
			const ids = [...new Set(deal.commitments.flatMap((item) => (item.concession === null ? [] : [item.concession])))];
			return {
				id: deal.id,
				name: deal.name,
				year: Number(deal.date.start.slice(0, 4)),
				outcome: deal.outcome,
				status: deal.status,
				usGives: ids.filter((id) => giverOf.get(id) === 'us'),
				dprkGives: ids.filter((id) => giverOf.get(id) === 'dprk'),
			};
		});
}

/** The same deals as the catalog's own `deals` lists describe them, which works before the dataset exists. */
const pastDealsFromCatalog: PastDeal[] = DEAL_IDS.map((id) => ({
	id,
	name: id,
	year: Number(id.slice(-4)),
	outcome: 'see /deal',
	status: 'unknown',
	usGives: catalog.filter((item) => item.giver === 'us' && item.deals.includes(id)).map((item) => item.id),
	dprkGives: catalog.filter((item) => item.giver === 'dprk' && item.deals.includes(id)).map((item) => item.id),
}));

describe.each([
	{ origin: 'the deal dataset', deals: pastDealsFromDataset() },
	{ origin: "the catalog's deal links", deals: pastDealsFromCatalog },
])('every past deal from $origin', ({ deals }) => {
	const weighable = deals.filter((deal) => deal.usGives.length + deal.dprkGives.length > 0);
	it('leaves out only deals that link no concession (the June 2000 declaration)', () => {
		expect(deals.filter((deal) => !weighable.includes(deal)).map((deal) => deal.id)).toEqual(
			deals.length > 0 ? ['summit2000'] : [],
		);
	});
	it.runIf(weighable.length > 0).each(weighable)('$id can be checked and finds itself as precedent', (deal) => {
		const input = { usGives: deal.usGives, dprkGives: deal.dprkGives };
		const result = checkBalance(input, catalog, { pastDeals: deals });
		expect(result.verdict.headline).not.toBe('');
		expect(result.precedent?.similarity).toBe(100);
		expect(fairSplit(input, catalog).weightsSource).toBe('default');
	});
});

const flip = (side: Side | null): Side | null => (side === null ? null : side === 'us' ? 'dprk' : 'us');
const mirroredCatalog = catalog.map((item) => ({ ...item, giver: flip(item.giver) ?? item.giver }));
const allIds = catalog.map((item) => item.id);

const weight = fc.integer({ min: 0, max: 10 });
const overridesArbitrary: fc.Arbitrary<WeightOverrides> = fc
	.array(fc.tuple(fc.constantFrom(...allIds), weight, weight), { maxLength: 6 })
	.map((entries) =>
		Object.fromEntries(entries.map(([id, costToGiver, valueToReceiver]) => [id, { costToGiver, valueToReceiver }])),
	);
const packageArbitrary = fc
	.record({
		usGives: fc.subarray([...US_CONCESSION_IDS] as string[], { maxLength: 6 }),
		dprkGives: fc.subarray([...DPRK_CONCESSION_IDS] as string[], { maxLength: 6 }),
		phased: fc.boolean(),
		phaseSeed: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 12, maxLength: 12 }),
	})
	.map(({ usGives, dprkGives, phased, phaseSeed }): BalanceInput => {
		if (!phased) return { usGives, dprkGives };
		const phases = Object.fromEntries([...usGives, ...dprkGives].map((id, index) => [id, phaseSeed[index] ?? 1]));
		return { usGives, dprkGives, phases };
	});
const run = (input: BalanceInput, overrides: WeightOverrides, entries: readonly Concession[] = catalog) =>
	checkBalance(input, entries, { overrides, pastDeals: pastDealsFromCatalog });

function ledgerNumbers(result: BalanceResult, side: Side) {
	const ledger = result[side];
	return {
		given: ledger.given,
		received: ledger.received,
		net: ledger.net,
		gives: ledger.gives,
		gets: ledger.gets,
		quick: result.reversibility[side].quickShare,
		slow: result.reversibility[side].slowShare,
	};
}

describe('checkBalance properties', () => {
	it('mirrors the result when the two sides swap roles', () => {
		fc.assert(
			fc.property(packageArbitrary, overridesArbitrary, (input, overrides) => {
				const result = run(input, overrides);
				const swapped = { ...input, usGives: input.dprkGives, dprkGives: input.usGives };
				const mirror = run(swapped, overrides, mirroredCatalog);
				expect(ledgerNumbers(mirror, 'us')).toEqual(ledgerNumbers(result, 'dprk'));
				expect(ledgerNumbers(mirror, 'dprk')).toEqual(ledgerNumbers(result, 'us'));
				expect(mirror.verdict).toMatchObject({
					kind: result.verdict.kind,
					gap: result.verdict.gap,
					tolerance: result.verdict.tolerance,
					favours: flip(result.verdict.favours),
					idle: flip(result.verdict.idle),
				});
				expect(mirror.risk.bearer).toBe(flip(result.risk.bearer));
				expect(mirror.risk.maxExposure).toEqual({ us: result.risk.maxExposure.dprk, dprk: result.risk.maxExposure.us });
				expect(mirror.precedent?.id).toBe(result.precedent?.id);
				expect(mirror.suggestion.kind).toBe(result.suggestion.kind);
				if (result.suggestion.kind === 'change' && mirror.suggestion.kind === 'change') {
					expect(mirror.suggestion).toMatchObject({
						id: result.suggestion.id,
						action: result.suggestion.action,
						side: flip(result.suggestion.side),
						reachesBalance: result.suggestion.reachesBalance,
						resulting: { ...result.suggestion.resulting, favours: flip(result.suggestion.resulting.favours) },
					});
				}
			}),
		);
	});

	it("never improves a side's net when that side gives one more concession", () => {
		fc.assert(
			fc.property(packageArbitrary, overridesArbitrary, fc.constantFrom(...allIds), (input, overrides, id) => {
				const side = giverOf.get(id) === 'us' ? 'us' : 'dprk';
				const key = side === 'us' ? 'usGives' : 'dprkGives';
				const before = run(input, overrides);
				const after = run({ ...input, [key]: [...input[key], id] }, overrides);
				expect(after[side].net).toBeLessThanOrEqual(before[side].net);
			}),
		);
	});

	it('is deterministic, whatever order the ids come in', () => {
		fc.assert(
			fc.property(packageArbitrary, overridesArbitrary, (input, overrides) => {
				const reversed = { ...input, usGives: [...input.usGives].reverse(), dprkGives: [...input.dprkGives].reverse() };
				expect(run(reversed, overrides)).toEqual(run(input, overrides));
			}),
		);
	});

	it('delivers what the suggestion promises', () => {
		fc.assert(
			fc.property(packageArbitrary, overridesArbitrary, (input, overrides) => {
				const { suggestion } = run(input, overrides);
				if (suggestion.kind !== 'change') return;
				const after = run(applySuggestion(input, suggestion), overrides);
				expect({ kind: after.verdict.kind, gap: after.verdict.gap }).toEqual({
					kind: suggestion.resulting.kind,
					gap: suggestion.resulting.gap,
				});
				if (suggestion.reachesBalance) expect(['balanced', 'thin']).toContain(after.verdict.kind);
			}),
		);
	});
});
