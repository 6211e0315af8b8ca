import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CAMPS } from '../../src/data/deal-schema.js';
import { DataError } from '../../src/data/deals.js';
import { DEFAULT_POSITIONS_PATH, loadPositions } from '../../src/data/positions.js';
import { citedPositionKeys, type Positions } from '../../src/data/positions-schema.js';

const positions = loadPositions();

function raw(): Positions {
	return JSON.parse(readFileSync(DEFAULT_POSITIONS_PATH, 'utf8'));
}

describe('data/positions.json (the general both cases)', () => {
	it('has three points a camp, each with a named voice and a source', () => {
		for (const camp of CAMPS) {
			expect(positions.general[camp].points, camp).toHaveLength(3);
			for (const point of positions.general[camp].points) {
				expect(point.voice.name.trim(), camp).not.toBe('');
				expect(point.sources.length, camp).toBeGreaterThan(0);
			}
		}
	});

	it('cites only listed sources, and cites every listed source', () => {
		const listed = positions.sources.map((source) => source.key);
		const cited = new Set(citedPositionKeys(positions).map(({ key }) => key));
		expect([...cited].filter((key) => !listed.includes(key))).toEqual([]);
		expect(listed.filter((key) => !cited.has(key))).toEqual([]);
		expect(new Set(listed).size).toBe(listed.length);
	});
});

describe('loadPositions on a broken file', () => {
	let dir = '';
	afterEach(() => {
		if (dir) rmSync(dir, { recursive: true, force: true });
		dir = '';
	});

	function problemsOf(value: unknown): string[] {
		dir = mkdtempSync(join(tmpdir(), 'parley-positions-'));
		const path = join(dir, 'positions.json');
		writeFileSync(path, JSON.stringify(value));
		try {
			loadPositions(path);
		} catch (error) {
			if (error instanceof DataError) return [...error.problems];
			throw error;
		}
		return [];
	}

	it('reports an unknown source key and an uncited source together', () => {
		const broken = raw();
		const firstPoint = broken.general.pressure.points[0];
		if (!firstPoint) throw new Error('general pressure case has no points');
		const dropped = firstPoint.sources;
		firstPoint.sources = ['no-such-key'];
		const problems = problemsOf(broken);
		expect(problems).toContainEqual(expect.stringMatching(/cites unknown source "no-such-key"/));
		const uncited = dropped.filter((key) => !citedPositionKeys(broken).some((cited) => cited.key === key));
		for (const key of uncited)
			expect(problems).toContainEqual(expect.stringContaining(`"${key}" is listed but never cited`));
	});

	it('rejects a voice that speaks for both camps, and a case with only one camp', () => {
		const broken = raw();
		const pressureVoice = broken.general.pressure.points[0]?.voice;
		const compromisePoint = broken.general.compromise.points[0];
		if (!pressureVoice || !compromisePoint) throw new Error('cases have no points');
		compromisePoint.voice = { ...pressureVoice };
		expect(problemsOf(broken)).toContainEqual(expect.stringMatching(/cannot speak for both camps/));
		expect(problemsOf({ ...raw(), general: { pressure: raw().general.pressure } })).toContainEqual(
			expect.stringMatching(/general\.compromise/),
		);
	});
});
