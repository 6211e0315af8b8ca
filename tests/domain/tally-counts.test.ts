import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tally, tallyFromCounts } from '../../src/domain/poll.js';

describe('tallyFromCounts (a closed poll’s Results, from its stored final counts)', () => {
	it('gives exactly the tally of the votes those counts came from', () => {
		fc.assert(
			fc.property(
				fc.constantFrom('pressure-compromise', 'scale', 'yes-no', 'custom' as const),
				fc.array(fc.nat({ max: 400 }), { minLength: 2, maxLength: 10 }),
				(style, counts) => {
					const poll = { style, choices: counts.map((_, index) => `choice ${index}`) };
					const votes = counts.flatMap((count, index) => Array<number>(count).fill(index));
					expect(tallyFromCounts(poll, counts)).toEqual(tally(poll, votes));
				},
			),
		);
	});

	it('reads damaged counts as 0 and missing ones as 0', () => {
		const poll = { style: 'yes-no' as const, choices: ['Yes', 'No', 'Maybe'] };
		expect(tallyFromCounts(poll, [3, -1]).counts).toEqual([3, 0, 0]);
		expect(tallyFromCounts(poll, [Number.NaN, 2.5, 4]).counts).toEqual([0, 0, 4]);
	});
});
