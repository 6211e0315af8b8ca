import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CAMPS } from '../../src/data/deal-schema.js';
import { DataError, loadDeals } from '../../src/data/deals.js';
import { DEFAULT_POSITIONS_PATH, loadPositions } from '../../src/data/positions.js';
import { type BothCases, citedPositionKeys, type Positions } from '../../src/data/positions-schema.js';

const dealIds = loadDeals().map((deal) => deal.id);
const positions = loadPositions();
const everyBoth: [string, BothCases][] = [['general', positions.general], ...Object.entries(positions.deals)];

function raw(): Positions {
	return JSON.parse(readFileSync(DEFAULT_POSITIONS_PATH, 'utf8'));
}

describe('data/positions.json', () => {
	it('has both cases for every deal, and for no deal that does not exist', () => {
		expect(Object.keys(positions.deals).sort()).toEqual([...dealIds].sort());
		for (const [name, both] of everyBoth) {
			for (const camp of CAMPS) expect(both[camp].points.length, `${name} ${camp}`).toBeGreaterThan(0);
		}
	});

	it('attributes every point to someone', () => {
		for (const [name, both] of everyBoth) {
			for (const camp of CAMPS) {
				for (const point of both[camp].points) expect(point.attribution.trim(), `${name} ${camp}`).not.toBe('');
			}
		}
	});

	it('gives the two camps the same care: as many points, and summaries of similar length', () => {
		for (const [name, both] of everyBoth) {
			expect(both.pressure.points.length, name).toBe(both.compromise.points.length);
			const lengths = [both.pressure.summary.length, both.compromise.summary.length];
			expect(Math.max(...lengths) / Math.min(...lengths), name).toBeLessThan(1.5);
		}
	});

	it('cites only listed sources, and cites every listed source', () => {
		const listed = positions.sources.map((source) => source.key);
		const cited = new Set(citedPositionKeys(positions).map(({ key }) => key));
		expect([...cited].filter((key) => !listed.includes(key))).toEqual([]);
		expect(listed.filter((key) => !cited.has(key))).toEqual([]);
		expect(new Set(listed).size).toBe(listed.length);
	});

	it('uses only well-formed http(s) URLs', () => {
		for (const source of positions.sources) {
			const url = new URL(source.url);
			expect(['http:', 'https:'], source.key).toContain(url.protocol);
		}
	});

	it('uses the same URL as the deal files for a shared source key', () => {
		const dealUrls = new Map(loadDeals().flatMap((deal) => deal.sources.map((source) => [source.key, source.url])));
		for (const source of positions.sources) {
			const dealUrl = dealUrls.get(source.key);
			if (dealUrl !== undefined) expect(source.url, source.key).toBe(dealUrl);
		}
	});
});

describe('loadPositions on a broken file', () => {
	let dir = '';
	afterEach(() => {
		if (dir) rmSync(dir, { recursive: true, force: true });
		dir = '';
	});

	function writePositions(value: unknown): string {
		dir = mkdtempSync(join(tmpdir(), 'parley-positions-'));
		const path = join(dir, 'positions.json');
		writeFileSync(path, JSON.stringify(value));
		return path;
	}

	function problemsOf(action: () => unknown): string[] {
		try {
			action();
		} catch (error) {
			if (error instanceof DataError) return [...error.problems];
			throw error;
		}
		return [];
	}

	it('reports a missing deal and an unknown deal together', () => {
		const broken = raw();
		const { hanoi2019, ...rest } = broken.deals;
		if (!hanoi2019) throw new Error('hanoi2019 cases missing from the data');
		// The removed cases move to an unknown id, so their sources stay cited and only coverage fails.
		broken.deals = { ...rest, atlantis2030: hanoi2019 };
		const problems = problemsOf(() => loadPositions(writePositions(broken), dealIds));
		expect(problems).toEqual([
			'positions.json: deals.hanoi2019: missing (every deal needs both cases)',
			'positions.json: deals.atlantis2030: no such deal',
		]);
	});

	it('reports an unknown source key and an uncited source together', () => {
		const broken = raw();
		const firstPoint = broken.general.pressure.points[0];
		if (!firstPoint) throw new Error('general pressure case has no points');
		firstPoint.sources = ['no-such-key'];
		const problems = problemsOf(() => loadPositions(writePositions(broken), dealIds));
		expect(problems).toContainEqual(expect.stringMatching(/cites unknown source "no-such-key"/));
		expect(problems).toContainEqual(expect.stringMatching(/"CRS-R45033" is listed but never cited/));
	});

	it('rejects a case with only one camp', () => {
		const broken = raw();
		const oneSided = { pressure: positions.general.pressure };
		const problems = problemsOf(() =>
			loadPositions(writePositions({ ...broken, deals: { ...broken.deals, af1994: oneSided } }), dealIds),
		);
		expect(problems).toContainEqual(expect.stringMatching(/deals\.af1994\.compromise/));
	});
});
