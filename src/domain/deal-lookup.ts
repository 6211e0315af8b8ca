/**
 * Finding a deal from what a member typed: an id, a name, an alias, a year, a date in many spellings, or a
 * misspelling of any of those. Decoupled from the data schema: callers pass plain `DealLookupEntry` values.
 */
import { complete, createIndex, decide, type FuzzyIndex, normalize, rank, suggestClosest } from './fuzzy.js';

/** What the lookup needs to know about a deal. */
export interface DealLookupEntry {
	readonly id: string;
	readonly name: string;
	readonly fullName: string;
	readonly aliases: readonly string[];
	/** Places, programmes and themes ("yongbyon", "kedo"): a query naming one lists every deal involving it. */
	readonly topics?: readonly string[];
	/** ISO date, YYYY-MM-DD. */
	readonly start: string;
	/** ISO date, YYYY-MM-DD, or null for a deal concluded on a single day. */
	readonly end: string | null;
}

type ExactVia = 'id' | 'name' | 'alias';

interface IndexedDeal {
	readonly id: string;
	readonly start: string;
	readonly end: string;
	/** Days since 1970-01-01 (UTC), for "nearest in time" suggestions. */
	readonly startDay: number;
	readonly endDay: number;
}

/** Precomputed lookup tables; build once with `createDealIndex`. */
export interface DealIndex {
	/** Deals in chronological order (start date, then id). */
	readonly deals: readonly IndexedDeal[];
	/** Space-free normalized phrase → the deals it names exactly, and how. */
	readonly exact: ReadonlyMap<string, readonly { readonly id: string; readonly via: ExactVia }[]>;
	/** Space-free normalized topic → the deals involving it, chronological. */
	readonly topics: ReadonlyMap<string, readonly string[]>;
	readonly fuzzy: FuzzyIndex;
}

export type DealLookupResult =
	| { readonly kind: 'found'; readonly id: string; readonly via: 'id' | 'name' | 'alias' | 'date' | 'year' | 'fuzzy' }
	| { readonly kind: 'ambiguous'; readonly candidates: readonly string[]; readonly reason: string }
	/** Every deal involving a place, programme or theme ("yongbyon"), chronological. */
	| { readonly kind: 'topic'; readonly topic: string; readonly candidates: readonly string[] }
	/** Too short to name one deal (one or two characters): the closest deals to pick from, never a card. */
	| { readonly kind: 'too-short'; readonly candidates: readonly string[] }
	| { readonly kind: 'none'; readonly suggestions: readonly string[] };

/** A suggestion for Discord autocomplete. */
export interface DealSuggestion {
	readonly id: string;
	readonly score: number;
}

/** Discord accepts at most 25 autocomplete choices. */
export const MAX_DEAL_SUGGESTIONS = 25;
const NONE_SUGGESTIONS = 3;
// Dates are short; anything longer is a name (or noise) and is not worth tokenizing as a date.
const MAX_DATE_QUERY_LENGTH = 40;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function dayNumber(iso: string): number {
	const match = ISO_DATE.exec(iso);
	if (!match) return 0;
	return Math.floor(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / 86_400_000);
}

function splitId(id: string): string {
	return id.replace(/(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/gu, ' ');
}

function compactKey(text: string): string {
	return normalize(text).replaceAll(' ', '');
}

/**
 * Builds the index. Besides the id, names and aliases, each deal is also found by its id with the year split
 * off ("singapore 2018") and by its name followed by its start year ("Agreed Framework 1994").
 */
export function createDealIndex(entries: readonly DealLookupEntry[]): DealIndex {
	const deals = entries
		.map((entry): IndexedDeal => {
			const end = entry.end ?? entry.start;
			return { id: entry.id, start: entry.start, end, startDay: dayNumber(entry.start), endDay: dayNumber(end) };
		})
		.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

	const exact = new Map<string, { id: string; via: ExactVia }[]>();
	const addExact = (phrase: string, id: string, via: ExactVia): void => {
		const key = compactKey(phrase);
		if (key === '') return;
		const list = exact.get(key) ?? [];
		if (!list.some((item) => item.id === id && item.via === via)) list.push({ id, via });
		exact.set(key, list);
	};
	for (const entry of entries) {
		addExact(entry.id, entry.id, 'id');
		addExact(entry.name, entry.id, 'name');
		addExact(entry.fullName, entry.id, 'name');
		for (const alias of entry.aliases) addExact(alias, entry.id, 'alias');
	}

	const topics = new Map<string, string[]>();
	for (const deal of deals) {
		const entry = entries.find((candidate) => candidate.id === deal.id);
		for (const topic of entry?.topics ?? []) {
			const key = compactKey(topic);
			const list = topics.get(key) ?? [];
			if (key !== '' && !list.includes(deal.id)) list.push(deal.id);
			topics.set(key, list);
		}
	}

	const fuzzy = createIndex(
		entries.map((entry) => ({
			id: entry.id,
			phrases: [
				entry.name,
				entry.fullName,
				...entry.aliases,
				entry.id,
				splitId(entry.id),
				`${entry.name} ${entry.start.slice(0, 4)}`,
			],
		})),
	);
	return { deals, exact, topics, fuzzy };
}

/** A date-shaped query. Month and day are 1-based. */
export type DateQuery =
	| { readonly kind: 'year'; readonly year: number }
	| { readonly kind: 'month'; readonly year: number; readonly month: number }
	| { readonly kind: 'day'; readonly year: number | null; readonly month: number; readonly day: number };

const MONTHS: ReadonlyMap<string, number> = new Map([
	['jan', 1],
	['january', 1],
	['feb', 2],
	['february', 2],
	['mar', 3],
	['march', 3],
	['apr', 4],
	['april', 4],
	['may', 5],
	['jun', 6],
	['june', 6],
	['jul', 7],
	['july', 7],
	['aug', 8],
	['august', 8],
	['sep', 9],
	['sept', 9],
	['september', 9],
	['oct', 10],
	['october', 10],
	['nov', 11],
	['november', 11],
	['dec', 12],
	['december', 12],
]);

/** English month names, January first (also used to print dates). */
export const MONTH_NAMES = [
	'January',
	'February',
	'March',
	'April',
	'May',
	'June',
	'July',
	'August',
	'September',
	'October',
	'November',
	'December',
];

function daysInMonth(month: number, year: number | null): number {
	if (month === 2) return year === null || (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 29 : 28;
	return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isYear(value: number): boolean {
	return value >= 1900 && value <= 2100;
}

/**
 * Reads a year ("2018"), a month and year ("feb 2007", "2007-02"), or a day with an optional year: "feb 29",
 * "29 feb", "february 29th", "29th of February 2012", "feb 29, 2012", "2012-02-29", "2/29", "2/29/2012".
 * Two numbers are read month/day (U.S. order), except when the first cannot be a month ("29/2", "27.02.2019");
 * a leading year means year-month-day. Returns null for anything else, including impossible dates ("2/30").
 */
export function parseDateQuery(text: string): DateQuery | null {
	if (text.length > MAX_DATE_QUERY_LENGTH) return null;
	const words = text
		.normalize('NFKC')
		.toLowerCase()
		.replace(/(?<=\d)(st|nd|rd|th)\b/g, '')
		.split(/[\s,./\-–—]+/u)
		.filter((word) => word !== '' && word !== 'of' && word !== 'the');
	if (words.length === 0 || words.length > 3) return null;

	let year: number | null = null;
	let yearPosition = -1;
	let month: number | null = null;
	const numbers: number[] = [];
	for (const [position, word] of words.entries()) {
		const named = MONTHS.get(word.replace(/\.$/, ''));
		if (named !== undefined) {
			if (month !== null) return null;
			month = named;
		} else if (/^\d{4}$/.test(word) && isYear(Number(word))) {
			if (year !== null) return null;
			year = Number(word);
			yearPosition = position;
		} else if (/^\d{1,2}$/.test(word)) {
			numbers.push(Number(word));
		} else {
			return null;
		}
	}
	// A year sits at either end: "2 2012 29" is not a date.
	if (year !== null && yearPosition !== 0 && yearPosition !== words.length - 1) return null;

	let day: number | null = null;
	if (month !== null) {
		if (numbers.length === 0) return year === null ? null : { kind: 'month', year, month };
		if (numbers.length !== 1) return null;
		day = numbers[0] ?? null;
	} else if (numbers.length === 0) {
		return year === null ? null : { kind: 'year', year };
	} else if (numbers.length === 1) {
		// "2007-02" or "02/2007": a month and a year.
		const only = numbers[0] ?? 0;
		return year !== null && only >= 1 && only <= 12 ? { kind: 'month', year, month: only } : null;
	} else {
		const [first = 0, second = 0] = numbers;
		if (yearPosition === 0 || first <= 12) {
			month = first;
			day = second;
		} else {
			month = second;
			day = first;
		}
	}
	if (month < 1 || month > 12 || day === null || day < 1 || day > daysInMonth(month, year)) return null;
	return { kind: 'day', year, month, day };
}

function iso(year: number, month: number, day: number): string {
	return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The first and last ISO day a dated query covers, or null for a day without a year. */
function dateRange(date: DateQuery): { readonly from: string; readonly to: string } | null {
	switch (date.kind) {
		case 'year':
			return { from: iso(date.year, 1, 1), to: iso(date.year, 12, 31) };
		case 'month':
			return {
				from: iso(date.year, date.month, 1),
				to: iso(date.year, date.month, daysInMonth(date.month, date.year)),
			};
		case 'day':
			return date.year === null
				? null
				: { from: iso(date.year, date.month, date.day), to: iso(date.year, date.month, date.day) };
	}
}

function matchesDate(deal: IndexedDeal, date: DateQuery): boolean {
	const range = dateRange(date);
	if (range) return deal.start <= range.to && deal.end >= range.from;
	if (date.kind !== 'day') return false;
	// A day without a year matches that day in any year the deal spans.
	const first = Number(deal.start.slice(0, 4));
	const last = Number(deal.end.slice(0, 4));
	for (let year = first; year <= last; year++) {
		const target = iso(year, date.month, date.day);
		if (deal.start <= target && target <= deal.end) return true;
	}
	return false;
}

/** Distance in days between a date query and a deal; a day without a year compares days of the year. */
function dateDistance(deal: IndexedDeal, date: DateQuery): number {
	const range = dateRange(date);
	if (range) {
		const fromDay = dayNumber(range.from);
		const toDay = dayNumber(range.to);
		if (deal.endDay < fromDay) return fromDay - deal.endDay;
		if (deal.startDay > toDay) return deal.startDay - toDay;
		return 0;
	}
	if (date.kind !== 'day') return 0;
	// Day of year in a leap year, so 29 February has a place; the distance wraps around New Year.
	const dayOfYear = (month: number, day: number): number => dayNumber(iso(2000, month, day)) - dayNumber('2000-01-01');
	const target = dayOfYear(date.month, date.day);
	const start = dayOfYear(Number(deal.start.slice(5, 7)), Number(deal.start.slice(8, 10)));
	const end = dayOfYear(Number(deal.end.slice(5, 7)), Number(deal.end.slice(8, 10)));
	return Math.min(...[start, end].map((day) => Math.min(Math.abs(day - target), 366 - Math.abs(day - target))));
}

function describeDate(date: DateQuery): string {
	const monthName = (month: number): string => MONTH_NAMES[month - 1] ?? '';
	switch (date.kind) {
		case 'year':
			return String(date.year);
		case 'month':
			return `${monthName(date.month)} ${date.year}`;
		case 'day':
			return date.year === null
				? `${monthName(date.month)} ${date.day}`
				: `${monthName(date.month)} ${date.day}, ${date.year}`;
	}
}

function chronological(index: DealIndex, ids: Iterable<string>): string[] {
	const wanted = new Set(ids);
	return index.deals.filter((deal) => wanted.has(deal.id)).map((deal) => deal.id);
}

const VIA_ORDER: readonly ExactVia[] = ['id', 'name', 'alias'];

/** Autocomplete score of a deal found only through a topic: below any name match. */
const TOPIC_SCORE = 0.3;

/** Queries this short name no deal on their own: "a", "19". */
export const MIN_QUERY_LENGTH = 3;

/**
 * Finds the one deal a query means, in this order:
 * 0. one or two characters (spaces ignored) are `too-short`: the closest deals to pick from, never a card;
 * 1. an exact id, name, full name or alias (after `normalize`, spaces ignored): "leapday", "Leap-Day Deal";
 * 2. a topic — a place, programme or theme ("yongbyon", "kedo", "6 party"): every deal involving it (`topic`);
 * 3. a year, month or day (`parseDateQuery`): deals whose start..end range contains it;
 * 4. a typo-forgiving match, accepted when one deal leads clearly (see `FUZZY_CLEAR_MARGIN` in fuzzy.ts).
 * Several equally good deals give `ambiguous` (candidates in chronological order); nothing gives `none`
 * with up to three closest deals (nearest in time for a date), empty only for a blank query. Never throws.
 */
export function findDeal(index: DealIndex, query: string): DealLookupResult {
	const text = String(query);
	if (text.trim() === '') return { kind: 'none', suggestions: [] };
	const key = compactKey(text);
	if (key !== '' && key.length < MIN_QUERY_LENGTH) {
		return { kind: 'too-short', candidates: suggestDeals(index, text, 5).map((suggestion) => suggestion.id) };
	}

	const exact = index.exact.get(key);
	if (exact && exact.length > 0) {
		for (const via of VIA_ORDER) {
			const ids = [...new Set(exact.filter((item) => item.via === via).map((item) => item.id))];
			if (ids.length === 1 && ids[0] !== undefined) return { kind: 'found', id: ids[0], via };
			if (ids.length > 1) {
				return { kind: 'ambiguous', candidates: chronological(index, ids), reason: 'Several deals go by that name.' };
			}
		}
	}

	const topic = index.topics.get(key);
	if (topic && topic.length > 0) return { kind: 'topic', topic: normalize(text), candidates: topic };

	const date = parseDateQuery(text.trim());
	if (date) {
		const matching = index.deals.filter((deal) => matchesDate(deal, date)).map((deal) => deal.id);
		const via = date.kind === 'year' ? 'year' : 'date';
		const [only] = matching;
		if (matching.length === 1 && only !== undefined) return { kind: 'found', id: only, via };
		if (matching.length > 1) {
			return {
				kind: 'ambiguous',
				candidates: matching,
				reason: `${matching.length} deals match ${describeDate(date)}.`,
			};
		}
		const byDistance = [...index.deals].sort((a, b) => dateDistance(a, date) - dateDistance(b, date));
		return { kind: 'none', suggestions: byDistance.slice(0, NONE_SUGGESTIONS).map((deal) => deal.id) };
	}

	const decision = decide(rank(index.fuzzy, text, index.deals.length));
	if (decision.kind === 'clear') return { kind: 'found', id: decision.match.id, via: 'fuzzy' };
	if (decision.kind === 'tied') {
		return {
			kind: 'ambiguous',
			candidates: chronological(
				index,
				decision.matches.map((match) => match.id),
			),
			reason: 'That matches several deals equally well.',
		};
	}
	return { kind: 'none', suggestions: suggestClosest(index.fuzzy, text, NONE_SUGGESTIONS) };
}

/**
 * Autocomplete choices for a partly typed deal. A blank text lists every deal, oldest first (the order of
 * `/deals`). Otherwise: deals matching a typed year or date first (score 1), then deals with a name, alias or
 * id starting with the text, then deals with words starting with the typed words, then typo-forgiving
 * matches (bands as in `complete` in fuzzy.ts), then deals with a topic starting with the text ("yongb");
 * equal scores in chronological order. At most `limit`,
 * capped at Discord's 25.
 */
export function suggestDeals(index: DealIndex, partial: string, limit = MAX_DEAL_SUGGESTIONS): DealSuggestion[] {
	const max = Number.isFinite(limit)
		? Math.min(MAX_DEAL_SUGGESTIONS, Math.max(0, Math.floor(limit)))
		: limit > 0
			? MAX_DEAL_SUGGESTIONS
			: 0;
	if (max === 0) return [];
	const text = String(partial);
	if (normalize(text) === '') return index.deals.slice(0, max).map((deal) => ({ id: deal.id, score: 1 }));

	const order = new Map(index.deals.map((deal, position) => [deal.id, position]));
	const scores = new Map<string, number>();
	const date = parseDateQuery(text.trim());
	if (date) for (const deal of index.deals) if (matchesDate(deal, date)) scores.set(deal.id, 1);
	for (const match of complete(index.fuzzy, text, index.deals.length)) {
		if (!scores.has(match.id)) scores.set(match.id, match.score);
	}
	// A topic being typed ("yongb") lists the deals involving it, after the deals whose names match.
	const key = compactKey(text);
	if (key.length >= MIN_QUERY_LENGTH) {
		for (const [topic, ids] of index.topics) {
			if (!topic.startsWith(key)) continue;
			for (const id of ids) if (!scores.has(id)) scores.set(id, TOPIC_SCORE);
		}
	}
	return [...scores]
		.map(([id, score]) => ({ id, score }))
		.sort((a, b) => b.score - a.score || (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0))
		.slice(0, max);
}
