import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONCESSION_IDS, DEAL_IDS, DPRK_CONCESSION_IDS, US_CONCESSION_IDS } from '../../src/data/concession-schema.js';
import { loadConcessions, normalizeAlias, parseConcessionCatalog } from '../../src/data/concessions.js';

const catalog = loadConcessions();
const raw = (): Record<string, unknown> & { concessions: Record<string, unknown>[] } =>
	JSON.parse(readFileSync(fileURLToPath(new URL('../../data/concessions.json', import.meta.url)), 'utf8'));

describe('the concession catalog', () => {
	it('holds exactly the 28 shared concession ids, each with its fixed giver', () => {
		expect(catalog.concessions.map((entry) => entry.id).sort()).toEqual([...CONCESSION_IDS].sort());
		for (const entry of catalog.concessions) {
			const expected = (DPRK_CONCESSION_IDS as readonly string[]).includes(entry.id) ? 'dprk' : 'us';
			expect(entry.giver, entry.id).toBe(expected);
		}
		expect(catalog.concessions.filter((entry) => entry.giver === 'us')).toHaveLength(US_CONCESSION_IDS.length);
	});

	it('states its scale and says the weights are a model', () => {
		expect(catalog.scale).toMatchObject({ min: 0, max: 10 });
		expect(catalog.disclaimer).toMatch(/model/);
	});

	it('never lets one typed phrase name two concessions', () => {
		const owners = new Map<string, string>();
		for (const entry of catalog.concessions) {
			for (const phrase of new Set([entry.id, entry.name, ...entry.aliases].map(normalizeAlias))) {
				expect(owners.get(phrase) ?? entry.id, `"${phrase}"`).toBe(entry.id);
				owners.set(phrase, entry.id);
			}
		}
	});

	it('resolves every cited source to a listed http(s) URL', () => {
		const urls = new Map(catalog.sources.map((source) => [source.key, source.url]));
		for (const entry of catalog.concessions) {
			for (const key of entry.sources) expect(urls.has(key), `${entry.id} cites ${key}`).toBe(true);
		}
		for (const source of catalog.sources) expect(new URL(source.url).protocol).toMatch(/^https?:$/);
	});

	it('links only to the fifteen known deals, with reported links a subset of all links', () => {
		for (const entry of catalog.concessions) {
			for (const deal of entry.deals) expect(DEAL_IDS).toContain(deal);
			for (const deal of entry.reportedIn) expect(entry.deals).toContain(deal);
		}
	});

	it('labels the claims deal-facts.md marks unconfirmed', () => {
		const text = (id: string) => {
			const entry = catalog.concessions.find((candidate) => candidate.id === id);
			return entry === undefined
				? ''
				: `${entry.description} ${entry.reversibility.text} ${entry.verification.text} ${entry.rationale}`;
		};
		expect(text('liaison-offices')).toMatch(/unconfirmed/);
		expect(text('end-of-war-declaration')).toMatch(/unconfirmed/);
		expect(text('missile-site-dismantlement')).toMatch(/unconfirmed/);
		expect(text('un-sanctions-relief')).toMatch(/reported/i);
	});

	const dealsDir = fileURLToPath(new URL('../../data/deals', import.meta.url));
	const dealFiles = existsSync(dealsDir) ? readdirSync(dealsDir).filter((name) => name.endsWith('.json')) : [];
	it.runIf(dealFiles.length > 0)('lists every deal the deal dataset links to each concession', () => {
		const linked = new Map<string, readonly string[]>(catalog.concessions.map((entry) => [entry.id, entry.deals]));
		for (const file of dealFiles) {
			const deal = JSON.parse(readFileSync(`${dealsDir}/${file}`, 'utf8')) as {
				id: string;
				commitments: { concession: string | null }[];
			};
			for (const { concession } of deal.commitments) {
				if (concession === null) continue;
				expect(linked.get(concession), `${deal.id} links ${concession}`).toContain(deal.id);
			}
		}
	});
});

describe('parseConcessionCatalog', () => {
	it('lists every cross-file problem in one error', () => {
		const data = raw();
		const [first, second] = data.concessions;
		if (first === undefined || second === undefined) throw new Error('fixture needs two concessions');
		second.aliases = [...(second.aliases as string[]), String((first.aliases as string[])[0]).toUpperCase()];
		first.sources = [...(first.sources as string[]), 'NO-SUCH-KEY'];
		first.giver = 'us';
		data.concessions = data.concessions.filter((entry) => entry.id !== 'japan-normalization');
		const error = (() => {
			try {
				parseConcessionCatalog(data);
			} catch (caught) {
				return caught;
			}
			return undefined;
		})();
		expect(error).toBeInstanceOf(Error);
		const message = error instanceof Error ? error.message : '';
		expect(message).toMatch(/names both "nuclear-test-moratorium" and "missile-test-moratorium"/);
		expect(message).toMatch(/cites unknown source "NO-SUCH-KEY"/);
		expect(message).toMatch(/"nuclear-test-moratorium" must be given by "dprk"/);
		expect(message).toMatch(/"japan-normalization" is missing/);
	});

	it('rejects weights off the 0–10 scale', () => {
		const data = raw();
		const [first] = data.concessions;
		if (first === undefined) throw new Error('fixture needs a concession');
		first.costToGiver = 11;
		expect(() => parseConcessionCatalog(data)).toThrow(/costToGiver/);
	});

	it('names the file when it cannot be read', () => {
		expect(() => loadConcessions('/nonexistent/concessions.json')).toThrow(/\/nonexistent\/concessions\.json/);
	});
});
