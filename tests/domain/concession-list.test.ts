import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	type ConcessionLookupEntry,
	createConcessionIndex,
	parseConcessionList,
	type Side,
	suggestConcessions,
} from '../../src/domain/concession-list.js';

function item(id: string, giver: Side, name: string, aliases: readonly string[]): ConcessionLookupEntry {
	return { id, giver, name, aliases };
}

const CATALOG: readonly ConcessionLookupEntry[] = [
	item('food-aid', 'us', 'Food aid', ['nutritional assistance', 'food']),
	item('un-sanctions-relief', 'us', 'UN sanctions relief', ['sanctions relief', 'un sanctions']),
	item('us-sanctions-relief', 'us', 'U.S. sanctions relief', ['us sanctions']),
	item('heavy-fuel-oil', 'us', 'Heavy fuel oil', ['hfo', 'fuel oil']),
	item('yongbyon-dismantlement', 'dprk', 'Dismantle Yongbyon', ['dismantle yongbyon', 'yongbyon dismantlement']),
	item('nuclear-test-moratorium', 'dprk', 'Nuclear test moratorium', ['test moratorium', 'no nuclear tests']),
	item('fuel-and-power', 'us', 'Fuel and power', []),
];

const index = createConcessionIndex(CATALOG);
const sideOf = new Map(CATALOG.map((entry) => [entry.id, entry.giver]));

const anyUtf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) });
const listish = fc
	.array(
		fc.oneof(
			fc.constantFrom(...CATALOG.flatMap((entry) => [entry.id, entry.name, ...entry.aliases])),
			fc.constantFrom('sanctions relif', 'hanio', 'food aid and hfo', 'pizza', '', ' '),
			fc.string({ maxLength: 12 }),
		),
		{ maxLength: 25 },
	)
	.chain((pieces) => fc.constantFrom(pieces.join(', '), pieces.join(';'), pieces.join('\n')));
const anyText = fc.oneof(
	listish,
	fc.string(),
	fc.string({ unit: 'grapheme' }),
	fc.string({ unit: 'binary' }),
	anyUtf16,
);
const anySide = fc.constantFrom<Side>('us', 'dprk');

describe('parseConcessionList', () => {
	it('resolves names, ids and aliases in the order typed, across commas and semicolons', () => {
		const result = parseConcessionList(index, 'Food aid; heavy-fuel-oil , us sanctions', 'us');
		expect(result.ids).toEqual(['food-aid', 'heavy-fuel-oil', 'us-sanctions-relief']);
		expect(result.unknown).toEqual([]);
		expect(result.errors).toEqual([]);
	});

	it('follows a generic alias to its item and says so', () => {
		const result = parseConcessionList(index, 'sanctions relief', 'us');
		expect(result.ids).toEqual(['un-sanctions-relief']);
		expect(result.interpreted).toEqual([{ input: 'sanctions relief', id: 'un-sanctions-relief' }]);
	});

	it('does not call an exact name an interpretation', () => {
		expect(parseConcessionList(index, 'U.S. sanctions relief', 'us').interpreted).toEqual([]);
	});

	it('forgives typos and reports the reading', () => {
		const result = parseConcessionList(index, 'sanctions relif; yongbyon dismantle', 'us');
		expect(result.ids).toEqual(['un-sanctions-relief']);
		expect(result.interpreted).toEqual([{ input: 'sanctions relif', id: 'un-sanctions-relief' }]);
		expect(parseConcessionList(index, 'yongbyon dismantle', 'dprk').ids).toEqual(['yongbyon-dismantlement']);
		expect(parseConcessionList(index, 'nuclear tests moratorium', 'dprk').ids).toEqual(['nuclear-test-moratorium']);
	});

	it('flags items the other side gives', () => {
		const result = parseConcessionList(index, 'food aid, yongbyon dismantle, test moratorium', 'us');
		expect(result.ids).toEqual(['food-aid']);
		expect(result.wrongSide).toEqual([
			{ input: 'yongbyon dismantle', id: 'yongbyon-dismantlement' },
			{ input: 'test moratorium', id: 'nuclear-test-moratorium' },
		]);
	});

	it('asks which item a word shared by several items means', () => {
		const result = parseConcessionList(index, 'sanctions', 'us');
		expect(result.ids).toEqual([]);
		expect(result.ambiguous).toEqual([
			{ input: 'sanctions', candidates: ['un-sanctions-relief', 'us-sanctions-relief'] },
		]);
	});

	it('reports unknown pieces with suggestions from the same side', () => {
		const result = parseConcessionList(index, 'pizza, hfo', 'us');
		expect(result.ids).toEqual(['heavy-fuel-oil']);
		expect(result.unknown).toHaveLength(1);
		expect(result.unknown[0]?.input).toBe('pizza');
		expect(result.unknown[0]?.suggestions.length).toBeGreaterThan(0);
		expect(result.unknown[0]?.suggestions.every((id) => sideOf.get(id) === 'us')).toBe(true);
	});

	it('lists an item once and reports the repeat', () => {
		const result = parseConcessionList(index, 'food aid, food, FOOD AID, hfo', 'us');
		expect(result.ids).toEqual(['food-aid', 'heavy-fuel-oil']);
		expect(result.duplicates).toEqual(['food-aid']);
	});

	it('splits on "and" only when the whole piece is not an item', () => {
		expect(parseConcessionList(index, 'food aid and hfo', 'us').ids).toEqual(['food-aid', 'heavy-fuel-oil']);
		expect(parseConcessionList(index, 'food aid & un sanctions', 'us').ids).toEqual([
			'food-aid',
			'un-sanctions-relief',
		]);
		expect(parseConcessionList(index, 'fuel and power', 'us').ids).toEqual(['fuel-and-power']);
	});

	it('ignores blank pieces and stray separators', () => {
		const result = parseConcessionList(index, ' ,, food aid ;; - ; ', 'us');
		expect(result.ids).toEqual(['food-aid']);
		expect(result.unknown).toEqual([]);
		expect(parseConcessionList(index, '', 'us').ids).toEqual([]);
	});

	it('refuses more than 20 items or 1,000 characters, with a message instead of a crash', () => {
		const many = parseConcessionList(index, Array.from({ length: 21 }, () => 'food aid').join(', '), 'us');
		expect(many.ids).toEqual([]);
		expect(many.errors[0]).toContain('at most 20');
		const twenty = parseConcessionList(index, Array.from({ length: 20 }, () => 'food aid').join(', '), 'us');
		expect(twenty.errors).toEqual([]);
		const long = parseConcessionList(index, `food aid, ${'x'.repeat(1_000)}`, 'us');
		expect(long.ids).toEqual([]);
		expect(long.errors[0]).toContain('1,000');
	});

	it('never throws and always returns unique ids of the requested side', () => {
		fc.assert(
			fc.property(anyText, anySide, (text, side) => {
				const result = parseConcessionList(index, text, side);
				expect(new Set(result.ids).size).toBe(result.ids.length);
				expect(result.ids.every((id) => sideOf.get(id) === side)).toBe(true);
				expect(result.ids.length).toBeLessThanOrEqual(20);
				expect(result.wrongSide.every(({ id }) => sideOf.get(id) !== side)).toBe(true);
				for (const { suggestions } of result.unknown) {
					expect(suggestions.every((id) => sideOf.get(id) === side)).toBe(true);
				}
			}),
		);
	});
});

describe('suggestConcessions', () => {
	const values = (text: string, side: Side = 'us', limit?: number): string[] =>
		suggestConcessions(index, text, side, limit).map((choice) => choice.value);

	it('offers every item of the side, in catalogue order, before anything is typed', () => {
		expect(values('')).toEqual([
			'Food aid',
			'UN sanctions relief',
			'U.S. sanctions relief',
			'Heavy fuel oil',
			'Fuel and power',
		]);
		expect(values('', 'dprk')).toEqual(['Dismantle Yongbyon', 'Nuclear test moratorium']);
	});

	it('completes the last item and keeps what was typed before it', () => {
		expect(values('food aid, he')).toEqual(['food aid, Heavy fuel oil']);
		expect(values('food aid;dism', 'dprk')).toEqual(['food aid; Dismantle Yongbyon']);
		expect(values('food aid;dism', 'us')).toEqual([]);
		expect(values('Dismantle Yongbyon; nuc', 'dprk')).toEqual(['Dismantle Yongbyon; Nuclear test moratorium']);
	});

	it('leaves out items already listed and items of the other side', () => {
		const next = values('food aid, hfo, ');
		expect(next).toEqual([
			'food aid, hfo, UN sanctions relief',
			'food aid, hfo, U.S. sanctions relief',
			'food aid, hfo, Fuel and power',
		]);
		expect(values('dism')).toEqual([]);
	});

	it('forgives a typo in the item being typed', () => {
		expect(values('food aid, sanctions relif')[0]).toBe('food aid, UN sanctions relief');
	});

	it('uses the same text for name and value and drops choices over 100 characters', () => {
		// 87 kept characters + a space leave room for "Food aid" (8) but not for "Heavy fuel oil" (14).
		const kept = `${'x'.repeat(86)}, `;
		const choices = suggestConcessions(index, kept, 'us');
		expect(choices.map((choice) => choice.value)).toEqual([`${kept.trimEnd()} Food aid`]);
		expect(choices.every((choice) => choice.name === choice.value)).toBe(true);
	});

	it('stays within the limit, the side, and 100 characters for any text', () => {
		fc.assert(
			fc.property(anyText, anySide, fc.integer({ min: -2, max: 40 }), (text, side, limit) => {
				const choices = suggestConcessions(index, text, side, limit);
				expect(choices.length).toBeLessThanOrEqual(Math.max(0, Math.min(limit, 25)));
				for (const choice of choices) {
					expect(choice.value.length).toBeGreaterThan(0);
					expect(choice.value.length).toBeLessThanOrEqual(100);
					expect(choice.name).toBe(choice.value);
				}
			}),
		);
	});
});
