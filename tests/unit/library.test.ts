import { describe, expect, it } from 'vitest';
import { loadLibrary, packageOf } from '../../src/library.js';

const library = loadLibrary();

describe('deal packages for /balance', () => {
	it('counts what the Leap Day texts agree on and leaves out what only one side claimed', () => {
		const deal = library.dealById.get('leapday2012');
		if (!deal) throw new Error('leapday2012 missing');
		const preset = packageOf(deal, library.catalog);
		expect(preset.dprkGives).toEqual([
			'nuclear-test-moratorium',
			'missile-test-moratorium',
			'enrichment-moratorium',
			'iaea-monitoring',
		]);
		expect(preset.usGives).toEqual(['food-aid']);
		expect(preset.leftOut).toEqual(expect.arrayContaining(['light-water-reactors', 'yongbyon-freeze']));
	});

	it('counts offers and demands at talks that produced no deal, but not press reports', () => {
		const deal = library.dealById.get('stockholm2019');
		if (!deal) throw new Error('stockholm2019 missing');
		const reported = deal.commitments
			.filter((item) => item.stance.kind === 'reported' && item.concession)
			.map((item) => item.concession);
		expect(reported.length).toBeGreaterThan(0);
		const preset = packageOf(deal, library.catalog);
		for (const id of reported) expect([...preset.usGives, ...preset.dprkGives]).not.toContain(id);
	});

	it('routes every linked concession to the side the catalog says gives it', () => {
		const giver = new Map<string, string>(library.catalog.concessions.map((item) => [item.id, item.giver]));
		for (const preset of library.pastDeals) {
			for (const id of preset.usGives) expect(giver.get(id)).toBe('us');
			for (const id of preset.dprkGives) expect(giver.get(id)).toBe('dprk');
		}
	});
});
