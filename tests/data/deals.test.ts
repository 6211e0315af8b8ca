import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONCESSION_IDS, type ConcessionId, citedSourceKeys, Deal } from '../../src/data/deal-schema.js';
import { DataError, DEFAULT_DEALS_DIR, loadDeals } from '../../src/data/deals.js';

const REQUIRED_IDS = [
	'af1994',
	'jdd1992',
	'sixparty2005',
	'feb2007',
	'oct2007',
	'leapday2012',
	'panmunjom2018',
	'singapore2018',
	'pyongyang2018',
	'hanoi2019',
	'stockholm2019',
	'jun1993',
	'summit2000',
	'communique2000',
	'summit2007',
];

const deals = loadDeals();
const byId = new Map(deals.map((deal) => [deal.id, deal]));
const files = readdirSync(DEFAULT_DEALS_DIR).filter((name) => name.endsWith('.json'));

function deal(id: string): Deal {
	const found = byId.get(id);
	if (!found) throw new Error(`deal ${id} not loaded`);
	return found;
}

function isHttpUrl(value: string): boolean {
	try {
		const url = new URL(value);
		return url.protocol === 'http:' || url.protocol === 'https:';
	} catch {
		return false;
	}
}

function first<T>(items: T[]): T {
	const item = items[0];
	if (item === undefined) throw new Error('empty list');
	return item;
}

/** Schema error messages for leapday2012 after one mutation, so each guard is tested in isolation. */
function problemsAfter(mutate: (draft: Deal) => void): string[] {
	const draft = structuredClone(deal('leapday2012'));
	mutate(draft);
	const parsed = Deal.safeParse(draft);
	return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('deal files', () => {
	it('hold exactly the fifteen required deals, one file each', () => {
		expect(deals.map((item) => item.id).sort()).toEqual([...REQUIRED_IDS].sort());
		expect(files.sort()).toEqual(REQUIRED_IDS.map((id) => `${id}.json`).sort());
	});

	it.each(files)('%s validates against the schema', (file) => {
		const parsed = Deal.safeParse(JSON.parse(readFileSync(join(DEFAULT_DEALS_DIR, file), 'utf8')));
		expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
	});

	it('are returned in date order', () => {
		const starts = deals.map((item) => item.date.start);
		expect(starts).toEqual([...starts].sort());
		expect(deals[0]?.id).toBe('jdd1992');
		expect(deals.at(-1)?.id).toBe('stockholm2019');
	});

	it('never give one alias to two deals, nor an alias equal to another deal’s id or name', () => {
		const owner = new Map<string, string>();
		for (const item of deals) {
			owner.set(item.id.toLowerCase(), item.id);
			owner.set(item.name.toLowerCase(), item.id);
		}
		const aliasOwner = new Map<string, string>();
		for (const item of deals) {
			for (const alias of item.aliases) {
				const key = alias.toLowerCase();
				expect(owner.get(key) ?? item.id, `alias "${alias}" of ${item.id}`).toBe(item.id);
				expect(aliasOwner.get(key) ?? item.id, `alias "${alias}" of ${item.id}`).toBe(item.id);
				aliasOwner.set(key, item.id);
			}
		}
	});

	it('contain no bare-date aliases such as "9/19"', () => {
		const all = deals.flatMap((item) => item.aliases);
		expect(all.filter((alias) => !/\p{L}/u.test(alias))).toEqual([]);
	});

	it('use only well-formed http(s) URLs, and the primary link names a listed source', () => {
		for (const item of deals) {
			for (const source of item.sources) expect(isHttpUrl(source.url), `${item.id} ${source.key}`).toBe(true);
			const linked =
				item.primary.kind === 'text' ? [item.primary.source] : item.primary.statements.map((entry) => entry.source);
			for (const key of linked)
				expect(
					item.sources.map((source) => source.key),
					item.id,
				).toContain(key);
		}
	});

	it('cite only listed sources, and cite every listed source at least once', () => {
		for (const item of deals) {
			const listed = item.sources.map((source) => source.key);
			const cited = new Set(citedSourceKeys(item).map(({ key }) => key));
			expect(
				[...cited].filter((key) => !listed.includes(key)),
				item.id,
			).toEqual([]);
			expect(
				listed.filter((key) => !cited.has(key)),
				item.id,
			).toEqual([]);
			expect(new Set(listed).size, item.id).toBe(listed.length);
		}
	});

	it('link commitments only to known concession ids', () => {
		const known = new Set<string>(CONCESSION_IDS);
		for (const item of deals) {
			for (const commitment of item.commitments) {
				if (commitment.concession !== null) expect(known.has(commitment.concession)).toBe(true);
			}
		}
		expect(new Set(CONCESSION_IDS).size).toBe(CONCESSION_IDS.length);
	});

	it('give each multi-day event its last day and keep events in date order', () => {
		expect(deal('hanoi2019').date).toMatchObject({ start: '2019-02-27', end: '2019-02-28' });
		expect(deal('af1994').date.start).toBe('1994-10-21');
		for (const item of deals) {
			const dates = item.events.map((event) => event.date);
			expect(dates, item.id).toEqual([...dates].sort());
		}
	});
});

describe('/deal leapday content', () => {
	const leapday = deal('leapday2012');
	const dprk = leapday.commitments.filter((item) => item.givers.includes('DPRK'));
	const us = leapday.commitments.filter((item) => item.givers.includes('US'));

	it('is found by the names people type', () => {
		expect(leapday.aliases).toEqual(expect.arrayContaining(['leap day', 'leapday', 'leap day deal']));
	});

	it('says it was announced on 29 February 2012', () => {
		expect(leapday.date.start).toBe('2012-02-29');
		expect(leapday.date.label).toMatch(/29 February 2012/);
	});

	it('lists the North’s moratoria on tests, long-range launches and enrichment, with IAEA monitoring', () => {
		expect(dprk.map((item) => item.concession)).toEqual(
			expect.arrayContaining([
				'nuclear-test-moratorium',
				'missile-test-moratorium',
				'enrichment-moratorium',
				'iaea-monitoring',
			]),
		);
		const enrichment = dprk.find((item) => item.concession === 'enrichment-moratorium');
		expect(enrichment?.text).toMatch(/Yongbyon/);
	});

	it('lists 240,000 metric tons of U.S. nutritional assistance', () => {
		const food = us.find((item) => item.concession === 'food-aid');
		expect(`${food?.short} ${food?.text}`).toMatch(/240,000 metric tons of nutritional assistance/);
		expect(leapday.summary.text).toMatch(/240,000/);
	});

	it('says how it ended: the April 2012 launch and the U.S. suspension of the aid', () => {
		expect(leapday.status).toBe('collapsed');
		expect(leapday.ending.date).toBe('2012-04-13');
		expect(leapday.ending.text).toMatch(/launch/);
		expect(leapday.ending.text).toMatch(/food aid stayed suspended/);
		expect(leapday.events.map((event) => event.date)).toEqual(expect.arrayContaining(['2012-03-16', '2012-03-28']));
		expect(leapday.duration.days).toBe(44);
	});

	it('keeps what only one of the two statements says as a one-sided claim', () => {
		const claimed = leapday.commitments.filter((item) => item.stance.kind === 'claimed');
		expect(claimed.length).toBeGreaterThan(0);
		for (const item of claimed) expect(item.stance).toMatchObject({ side: expect.stringMatching(/^(US|DPRK)$/) });
	});

	it('says there was no joint text and links both sides’ statements', () => {
		expect(leapday.primary.kind).toBe('statements');
		if (leapday.primary.kind === 'statements')
			expect(leapday.primary.statements.map((item) => item.party)).toEqual(['US', 'DPRK']);
		expect(leapday.sources.length).toBeGreaterThanOrEqual(5);
	});
});

describe('Deal schema guards', () => {
	const cases: [string, (draft: Deal) => void, RegExp][] = [
		['an unknown source key', (draft) => (draft.summary.sources = ['nope']), /unknown source "nope"/],
		[
			'an unknown source key in the ending',
			(draft) => (draft.ending.sources = ['gone']),
			/ending\.sources: cites unknown source "gone"/,
		],
		[
			'an unknown source key in a camp’s case',
			(draft) => (first(draft.cases.pressure.points).sources = ['gone']),
			/cases\.pressure\.points\[0\]\.sources: cites unknown source/,
		],
		[
			'one voice speaking for both camps',
			(draft) => (first(draft.cases.compromise.points).voice = { ...first(draft.cases.pressure.points).voice }),
			/cannot speak for both camps/,
		],
		[
			'an offer made by someone other than its giver',
			(draft) => (first(draft.commitments).stance = { kind: 'offered', by: 'Japan' }),
			/givers must be exactly/,
		],
		[
			'a demand its own maker is asked to meet',
			(draft) => {
				const item = first(draft.commitments);
				item.stance = { kind: 'demanded', by: first(item.givers) };
			},
			/stance\.by must be a party and not a giver/,
		],
		[
			'a share pledged by someone who is not a giver',
			(draft) => {
				const item = first(draft.commitments);
				item.shares = [{ party: 'Russia', text: '1 ton', sources: [...item.sources] }];
			},
			/a share belongs to one of the givers/,
		],
		[
			'a listed source nobody cites',
			(draft) =>
				draft.sources.push({
					key: 'spare',
					url: 'https://example.org/a',
					publisher: 'reuters',
					title: 't',
					supports: 's',
				}),
			/"spare" is listed but never cited/,
		],
		['a bare-date alias', (draft) => draft.aliases.push('2/29'), /must contain a letter/],
		['an uppercase alias', (draft) => draft.aliases.push('Leap'), /lowercase/],
		['a duplicated alias', (draft) => draft.aliases.push('leapday'), /listed more than once/],
		['an outcome over 90 characters', (draft) => (draft.outcome = 'x'.repeat(91)), /^outcome:/m],
		[
			'a concession id that is not in the catalog',
			(draft) => (first(draft.commitments).concession = 'free-pizza' as ConcessionId),
			/commitments\.0\.concession/,
		],
		['events out of date order', (draft) => draft.events.reverse(), /not in date order/],
		[
			'a primary link that is not a listed source',
			(draft) => (draft.primary = { kind: 'text', source: 'nowhere' }),
			/primary\.source: cites unknown source "nowhere"/,
		],
		['a malformed URL', (draft) => (first(draft.sources).url = 'not a url'), /well-formed/],
		['an impossible date', (draft) => (draft.date.start = '2013-02-29'), /date\.start/],
		['an end date before the start', (draft) => (draft.date.end = '2012-01-01'), /date\.end is before/],
		['a field the schema does not know', (draft) => Object.assign(draft, { extra: true }), /extra/],
		[
			'a committing party that is not a party to the deal',
			(draft) => (first(draft.commitments).givers = ['Japan']),
			/not one of the deal's parties/,
		],
		['a deal with no sources on an event', (draft) => (first(draft.events).sources = []), /events\.0\.sources/],
	];

	it.each(cases)('rejects %s', (_name, mutate, expected) => {
		expect(problemsAfter(mutate).join('\n')).toMatch(expected);
	});

	it('accepts the unmodified file', () => {
		expect(problemsAfter(() => undefined)).toEqual([]);
	});
});

describe('loadDeals on a broken directory', () => {
	let dir = '';
	afterEach(() => {
		if (dir) rmSync(dir, { recursive: true, force: true });
		dir = '';
	});

	function writeDeal(name: string, value: unknown) {
		writeFileSync(join(dir, name), typeof value === 'string' ? value : JSON.stringify(value));
	}

	it('reports every problem in every file in one error', () => {
		dir = mkdtempSync(join(tmpdir(), 'parley-deals-'));
		const broken = structuredClone(deal('leapday2012'));
		broken.summary.sources = ['missing-key'];
		writeDeal('leapday2012.json', broken);
		writeDeal('hanoi2019.json', '{ "schemaVersion": 2, ');
		writeDeal('singapore2018.json', deal('singapore2018'));

		let thrown: unknown;
		try {
			loadDeals(dir);
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(DataError);
		const message = (thrown as DataError).message;
		expect(message).toContain('leapday2012.json');
		expect(message).toContain('missing-key');
		expect(message).toContain('hanoi2019.json');
		expect(message).not.toContain('singapore2018.json');
		expect((thrown as DataError).problems).toHaveLength(2);
	});

	it('reports a file named after the wrong id and an alias claimed by two deals', () => {
		dir = mkdtempSync(join(tmpdir(), 'parley-deals-'));
		writeDeal('leap.json', deal('leapday2012'));
		const hanoi = structuredClone(deal('hanoi2019'));
		hanoi.aliases.push('leap day', 'singapore summit statement');
		writeDeal('hanoi2019.json', hanoi);
		writeDeal('singapore2018.json', deal('singapore2018'));

		expect(() => loadDeals(dir)).toThrowError(/leap\.json: file name must be "leapday2012\.json"/);
		const problems = (() => {
			try {
				loadDeals(dir);
				return [];
			} catch (error) {
				return error instanceof DataError ? [...error.problems] : [];
			}
		})();
		expect(problems).toContainEqual(
			expect.stringMatching(
				/hanoi2019\.json: alias "singapore summit statement" equals the name of singapore2018\.json/,
			),
		);
		// Files are read in name order, so the second claimant (leap.json) is the one reported.
		expect(problems).toContainEqual(
			expect.stringMatching(/leap\.json: alias "leap day" is also an alias of hanoi2019\.json/),
		);
		expect(problems).toHaveLength(3);
	});

	it('loads a valid subset and sorts it by date', () => {
		dir = mkdtempSync(join(tmpdir(), 'parley-deals-'));
		writeDeal('hanoi2019.json', deal('hanoi2019'));
		writeDeal('af1994.json', deal('af1994'));
		expect(loadDeals(dir).map((item) => item.id)).toEqual(['af1994', 'hanoi2019']);
	});
});
