import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONCESSION_IDS, DPRK_CONCESSION_IDS, US_CONCESSION_IDS } from '../../src/data/concession-schema.js';
import { decodePackage, encodePackage } from '../../src/domain/package-code.js';

describe('package codes in custom_ids', () => {
	it('round-trips any package of catalog ids, in catalog order', () => {
		fc.assert(
			fc.property(fc.subarray([...US_CONCESSION_IDS]), fc.subarray([...DPRK_CONCESSION_IDS]), (usGives, dprkGives) => {
				const code = encodePackage({ usGives, dprkGives }, CONCESSION_IDS);
				expect(code.length).toBeLessThanOrEqual(20);
				expect(decodePackage(code, CONCESSION_IDS)).toEqual({ usGives, dprkGives });
			}),
		);
	});

	it.each(['', 'abc', '1.2.3', 'zzzzzzzzzzz.0', '-1.0', 'A.B', `${(2n ** 40n).toString(36)}.0`])(
		'refuses %j',
		(code) => {
			expect(decodePackage(code, CONCESSION_IDS)).toBeNull();
		},
	);
});
