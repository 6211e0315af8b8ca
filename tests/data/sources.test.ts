import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConcessions } from '../../src/data/concessions.js';
import type { Deal } from '../../src/data/deal-schema.js';
import { loadDeals } from '../../src/data/deals.js';
import { loadPositions } from '../../src/data/positions.js';
import { PublishersFile } from '../../src/data/publisher-schema.js';
import {
	createPublisherRegistry,
	DEFAULT_PUBLISHERS_PATH,
	loadPublishers,
	sourcePolicyProblems,
} from '../../src/data/publishers.js';
import { currentReport, reportLists, sourcesReport } from '../../src/data/sources-report.js';

const publishers = loadPublishers();
const deals = loadDeals(undefined, publishers);
const catalog = loadConcessions();
const positions = loadPositions();

/** Every source Parley can show, wherever it is listed. */
const everySource = [
	...deals.flatMap((deal) => deal.sources.map((source) => ({ where: `deals/${deal.id}.json`, source }))),
	...catalog.sources.map((source) => ({ where: 'concessions.json', source })),
	...positions.sources.map((source) => ({ where: 'positions.json', source })),
];

function dealById(id: string): Deal {
	const found = deals.find((deal) => deal.id === id);
	if (!found) throw new Error(`no deal ${id}`);
	return found;
}

describe('the source policy, enforced on every source (no exceptions list)', () => {
	it('finds hundreds of sources to check (the check is not vacuous)', () => {
		expect(everySource.length).toBeGreaterThan(150);
	});

	it('every source is a listed publisher’s own page, titled without naming another publisher', () => {
		const problems = everySource.flatMap(({ where, source }) =>
			sourcePolicyProblems(source, publishers).map((problem) => `${where} ${source.key}: ${problem}`),
		);
		expect(problems).toEqual([]);
	});

	it('"Read the primary text" opens the text itself on a primary or archive publisher', () => {
		for (const deal of deals) {
			const keys =
				deal.primary.kind === 'text' ? [deal.primary.source] : deal.primary.statements.map((item) => item.source);
			for (const key of keys) {
				const source = deal.sources.find((candidate) => candidate.key === key);
				const kind = source ? publishers.byId.get(source.publisher)?.kind : undefined;
				expect(['primary', 'archive'], `${deal.id} ${key}`).toContain(kind);
			}
		}
	});

	it('talks that produced no text say so and link each side’s own statement', () => {
		for (const id of ['hanoi2019', 'stockholm2019']) {
			const deal = dealById(id);
			expect(deal.primary.kind, id).toBe('statements');
			if (deal.primary.kind !== 'statements') continue;
			expect(deal.primary.note).toMatch(/no (joint )?text/i);
			expect(deal.primary.statements.map((item) => item.party).sort()).toEqual(['DPRK', 'US']);
		}
	});

	it('data/publishers.json is valid and gives every host to one publisher', () => {
		const parsed = PublishersFile.safeParse(JSON.parse(readFileSync(DEFAULT_PUBLISHERS_PATH, 'utf8')));
		expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
		expect(publishers.publishers.map((publisher) => publisher.kind)).toEqual(
			expect.arrayContaining(['primary', 'archive', 'research', 'news', 'reference']),
		);
	});
});

describe('sourcePolicyProblems catches what a reader’s first check would', () => {
	const registry = createPublisherRegistry([
		{ id: 'us-state', name: 'U.S. Department of State', aliases: [], kind: 'primary', hosts: ['2009-2017.state.gov'] },
		{ id: 'reuters', name: 'Reuters', aliases: [], kind: 'news', hosts: ['reuters.com'] },
		{ id: 'yonhap', name: 'Yonhap News Agency', aliases: ['Yonhap'], kind: 'news', hosts: ['en.yna.co.kr'] },
		{ id: 'hankyoreh', name: 'The Hankyoreh', aliases: [], kind: 'news', hosts: ['english.hani.co.kr'] },
		{ id: 'wikipedia', name: 'Wikipedia', aliases: [], kind: 'reference', hosts: ['en.wikipedia.org'] },
		{ id: 'ap', name: 'Associated Press', aliases: ['AP'], kind: 'news', hosts: ['apnews.com'] },
	]);
	const check = (url: string, publisher: string, title = 'A page') =>
		sourcePolicyProblems({ url, publisher, title }, registry).join('; ');

	it('accepts a publisher’s own page, with or without www.', () => {
		expect(check('https://2009-2017.state.gov/r/pa/prs/ps/2012/02/184869.htm', 'us-state')).toBe('');
		expect(check('https://www.reuters.com/article/x', 'reuters', 'North Korea talks')).toBe('');
	});

	it.each([
		[
			'a content farm passing itself off as Reuters',
			'https://quickandeasyforex.com/reuters-copy',
			'reuters',
			/not one of Reuters/,
		],
		[
			'a sub-site that is not the newsroom',
			'https://worldcup2014.hani.co.kr/a',
			'hankyoreh',
			/not one of The Hankyoreh/,
		],
		['a raw IP address', 'http://34.80.245.248/story', 'reuters', /raw IP address/],
		['a non-standard port', 'https://the-uncensored-wiki.com:20082/Agreed', 'wikipedia', /port 20082/],
		[
			'a wiki edit page',
			'https://en.wikipedia.org/w/index.php?title=Agreed_Framework&action=edit',
			'wikipedia',
			/wiki edit/,
		],
		[
			'a publisher not in the list',
			'https://freerepublic.com/focus/f-news/1',
			'free-republic',
			/not in data\/publishers.json/,
		],
	])('rejects %s', (_name, url, publisher, expected) => {
		expect(check(url, publisher)).toMatch(expected);
	});

	it('rejects a title that names another publisher than the page’s own', () => {
		expect(check('https://en.yna.co.kr/view/1', 'yonhap', 'Reuters: summit ends')).toMatch(/names Reuters/);
		expect(check('https://www.reuters.com/x', 'reuters', 'Yonhap reports summit')).toMatch(/names Yonhap/);
		// Acronyms count only as whole words in capitals: "map" or "Apple" never reads as AP.
		expect(check('https://www.reuters.com/x', 'reuters', 'A map of the Apple orchards')).toBe('');
		expect(check('https://www.reuters.com/x', 'reuters', 'Summit, per AP')).toMatch(/names Associated Press/);
	});
});

describe('docs/sources.md', () => {
	it('is current: it states the policy and counts the sources Parley cites today, by kind', () => {
		const expected = sourcesReport(reportLists({ deals, catalog, positions }), publishers);
		expect(currentReport(), 'run `npm run sources:report`').toBe(expected);
		expect(expected).toMatch(/\| \*\*all\*\* \| \d+ \| \d+ \| \d+ \| \d+ \| \d+ \| \d+ \|/);
	});
});
