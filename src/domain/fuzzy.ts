/**
 * Typo-forgiving matching of short user queries ("leap dya", "agred framework") against short
 * catalogue phrases (deal names, aliases, concession names). Everything here is pure and allocation-light:
 * `createIndex` does the expensive preparation once, so `rank` and `complete` can run on every autocomplete
 * keystroke (well under a millisecond for a few dozen entries).
 *
 * Scores are in [0, 1]. The thresholds that turn a score into a decision are exported so the callers
 * (deal lookup, concession lists) apply the same rules:
 * - `FUZZY_MATCH_MIN` (0.7): the lowest score accepted as a match at all. One typo in a short word
 *   ("dya" for "day") scores about 0.83; a bare three-letter prefix of a long word ("sin" for "singapore")
 *   scores about 0.73 before phrase coverage is applied, so it falls below the line.
 * - `FUZZY_CLEAR_MARGIN` (0.06): the best entry wins outright only if it leads the runner-up by this much.
 *   A query that matches a whole alias ("sanctions relif" → "sanctions relief") beats one that matches two
 *   words of a three-word name ("U.S. sanctions relief") by about 0.08; two names that share the queried
 *   word ("summit" → "Singapore Summit", "Hanoi Summit") tie.
 * - `SUGGESTION_MIN` (0.3): matches below this are too weak to be offered as "did you mean" suggestions.
 */

/** Lowest score accepted as a match. */
export const FUZZY_MATCH_MIN = 0.7;
/** Lead over the runner-up needed for the best match to win without asking the user. */
export const FUZZY_CLEAR_MARGIN = 0.06;
/** Lowest score worth showing as a suggestion. */
export const SUGGESTION_MIN = 0.3;

// Scoring shape, chosen so the documented thresholds above hold (see the unit tests for the anchor cases).
const PREFIX_BASE = 0.6; // a bare prefix scores 0.6 + 0.4 × (typed length / word length)
const TOKEN_TYPO_WEIGHT = 0.5; // a typo costs half its share of the longer word
const COVER_BASE = 0.75; // a query matching only part of a phrase keeps 75 % plus the covered share of the rest

// Discord autocomplete values and catalogue phrases are short; longer input is cut before scoring so a pasted
// essay cannot make a keystroke expensive.
const MAX_QUERY_CODE_POINTS = 100;
const MAX_QUERY_TOKENS = 12;
const MAX_NEAREST_CODE_POINTS = 64;

// Dropped from queries and phrases (when something else is left) so "the agreed framework" still matches fully.
const STOPWORDS = new Set(['a', 'an', 'and', 'at', 'by', 'for', 'in', 'of', 'on', 'the', 'to', 'with']);

/**
 * The comparison form of a text: NFKC, lowercase, diacritics removed, zero-width and control characters
 * removed, apostrophes and abbreviation periods dropped ("U.S." → "us", "Kim's" → "kims"), a period between
 * digits kept as a break ("29.2.2012" → "29 2 2012"), every other run of punctuation, symbols or whitespace
 * turned into one space ("six-party" → "six party"), trimmed.
 */
export function normalize(text: string): string {
	return (
		text
			// Line breaks and tabs separate words; every other control or invisible character is deleted, so a
			// zero-width space inside a word does not split it.
			.replace(/[\t\n\v\f\r\u0085\p{Z}]+/gu, ' ')
			.replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Co}]+/gu, '')
			.normalize('NFKC')
			.toLowerCase()
			.normalize('NFD')
			.replace(/\p{M}+/gu, '')
			.normalize('NFC')
			.replace(/(?<=\p{N})\.(?=\p{N})/gu, ' ')
			.replace(/['.\u2018\u2019\u02bc`´]+/gu, '')
			.replace(/[^\p{L}\p{N}]+/gu, ' ')
			.trim()
	);
}

function toCodePoints(text: string): number[] {
	const points: number[] = [];
	for (const char of text) points.push(char.codePointAt(0) ?? 0);
	return points;
}

/**
 * Optimal-string-alignment distance between code point arrays (insert, delete, substitute, swap of two
 * adjacent characters). Returns `max + 1` as soon as the distance is known to exceed `max`.
 */
function osa(a: readonly number[], b: readonly number[], max: number): number {
	const n = a.length;
	const m = b.length;
	if (Math.abs(n - m) > max) return max + 1;
	if (n === 0) return m;
	if (m === 0) return n;
	let before = new Array<number>(m + 1).fill(0);
	let previous = new Array<number>(m + 1);
	let current = new Array<number>(m + 1).fill(0);
	for (let j = 0; j <= m; j++) previous[j] = j;
	for (let i = 1; i <= n; i++) {
		current[0] = i;
		let rowMin = i;
		const ai = a[i - 1];
		const aPrev = a[i - 2];
		for (let j = 1; j <= m; j++) {
			const bj = b[j - 1];
			let value = Math.min(
				(previous[j] ?? 0) + 1,
				(current[j - 1] ?? 0) + 1,
				(previous[j - 1] ?? 0) + (ai === bj ? 0 : 1),
			);
			if (i > 1 && j > 1 && ai === b[j - 2] && aPrev === bj) value = Math.min(value, (before[j - 2] ?? 0) + 1);
			current[j] = value;
			if (value < rowMin) rowMin = value;
		}
		// A row minimum above `max` bounds every later cell too (a swap reaches back two rows, but such a cell
		// is never cheaper than its diagonal neighbour in this row plus one).
		if (rowMin > max) return max + 1;
		const recycled = before;
		before = previous;
		previous = current;
		current = recycled;
	}
	const distance = previous[m] ?? 0;
	return distance > max ? max + 1 : distance;
}

/**
 * Damerau–Levenshtein distance in its optimal-string-alignment form, counted in code points. With `max`,
 * the computation stops early and returns `max + 1` for anything farther than `max`.
 */
export function damerauLevenshtein(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
	const bound = Number.isNaN(max) ? 0 : Math.max(0, max);
	return osa(toCodePoints(a), toCodePoints(b), bound);
}

/** How many typos a word of this length may contain and still match: none up to 2 letters, then 1, 2, 3. */
function allowedTypos(length: number): number {
	if (length <= 2) return 0;
	if (length <= 5) return 1;
	if (length <= 9) return 2;
	return 3;
}

interface Token {
	readonly text: string;
	readonly points: readonly number[];
	/** Tokens with digits ("2018", "1") only match exactly or by prefix: "2018" must never match "2019". */
	readonly numeric: boolean;
}

function makeToken(text: string): Token {
	return { text, points: toCodePoints(text), numeric: /\p{N}/u.test(text) };
}

/** Similarity of one query word to one phrase word, in [0, 1]. */
function tokenSimilarity(query: Token, candidate: Token): number {
	if (query.text === candidate.text) return 1;
	const ql = query.points.length;
	const cl = candidate.points.length;
	let best = 0;
	if (cl > ql && candidate.text.startsWith(query.text)) best = PREFIX_BASE + ((1 - PREFIX_BASE) * ql) / cl;
	if (query.numeric || candidate.numeric) return best;
	const allowed = allowedTypos(Math.min(ql, cl));
	if (allowed === 0) return best;
	const distance = osa(query.points, candidate.points, allowed);
	if (distance <= allowed) best = Math.max(best, 1 - (TOKEN_TYPO_WEIGHT * distance) / Math.max(ql, cl));
	// A half-typed word with a typo ("sinagp" for "singapore"): compare with the candidate's beginning.
	if (ql >= 4 && cl > ql + 1) {
		const prefixAllowed = allowedTypos(ql);
		const prefixScore = PREFIX_BASE + ((1 - PREFIX_BASE) * ql) / cl;
		for (let length = ql - 1; length <= ql + 1; length++) {
			const d = osa(query.points, candidate.points.slice(0, length), prefixAllowed);
			if (d <= prefixAllowed) best = Math.max(best, prefixScore * (1 - (TOKEN_TYPO_WEIGHT * d) / ql));
		}
	}
	return best;
}

interface PreparedPhrase {
	readonly original: string;
	readonly normalized: string;
	/** The normalized form without spaces, so "leapday" and "leap day" compare equal. */
	readonly compact: string;
	readonly compactPoints: readonly number[];
	readonly compactNumeric: boolean;
	/** Indexes into the vocabulary, all words. */
	readonly tokens: readonly number[];
	/** Indexes into the vocabulary, stopwords removed unless nothing else is left. */
	readonly significant: readonly number[];
}

interface PreparedEntry {
	readonly id: string;
	readonly phrases: readonly PreparedPhrase[];
}

/** An entry to index: an id and the phrases (name, aliases, …) that should find it. */
export interface FuzzyEntry {
	readonly id: string;
	readonly phrases: readonly string[];
}

/** Precomputed normalized phrases and their words; build once with `createIndex`. */
export interface FuzzyIndex {
	readonly entries: readonly PreparedEntry[];
	/** Every distinct word of every phrase, so a query word is compared with each of them once per call. */
	readonly vocabulary: readonly Token[];
}

/** One ranked entry: its best score over its phrases and the phrase (as given) that scored it. */
export interface FuzzyMatch {
	readonly id: string;
	readonly score: number;
	readonly matchedPhrase: string;
}

function significantWords(words: readonly string[]): string[] {
	const kept = words.filter((word) => !STOPWORDS.has(word));
	return kept.length > 0 ? kept : [...words];
}

/** Builds the search index. Phrases that normalize to nothing are skipped. */
export function createIndex(entries: readonly FuzzyEntry[]): FuzzyIndex {
	const vocabulary: Token[] = [];
	const positions = new Map<string, number>();
	const wordIndex = (word: string): number => {
		const known = positions.get(word);
		if (known !== undefined) return known;
		positions.set(word, vocabulary.length);
		vocabulary.push(makeToken(word));
		return vocabulary.length - 1;
	};
	const prepared = entries.map((entry): PreparedEntry => {
		const seen = new Set<string>();
		const phrases: PreparedPhrase[] = [];
		for (const original of entry.phrases) {
			const normalized = normalize(original);
			if (normalized === '' || seen.has(normalized)) continue;
			seen.add(normalized);
			const words = normalized.split(' ');
			const compact = words.join('');
			phrases.push({
				original,
				normalized,
				compact,
				compactPoints: toCodePoints(compact),
				compactNumeric: /\p{N}/u.test(compact),
				tokens: words.map(wordIndex),
				significant: significantWords(words).map(wordIndex),
			});
		}
		return { id: entry.id, phrases };
	});
	return { entries: prepared, vocabulary };
}

interface PreparedQuery {
	readonly normalized: string;
	readonly compact: string;
	readonly compactPoints: readonly number[];
	readonly compactNumeric: boolean;
	readonly tokens: readonly Token[];
	readonly significant: readonly Token[];
}

function prepareQuery(query: string): PreparedQuery {
	const full = normalize(query);
	const normalized = Array.from(full).slice(0, MAX_QUERY_CODE_POINTS).join('').trim();
	const words = normalized === '' ? [] : normalized.split(' ').slice(0, MAX_QUERY_TOKENS);
	const compact = words.join('');
	return {
		normalized: words.join(' '),
		compact,
		compactPoints: toCodePoints(compact),
		compactNumeric: /\p{N}/u.test(compact),
		tokens: words.map(makeToken),
		significant: significantWords(words).map(makeToken),
	};
}

/** Query-word × vocabulary-word similarity, computed lazily and at most once per pair within one call. */
type SimilarityTable = (wordIndex: number, vocabularyIndex: number) => number;

function createSimilarityTable(words: readonly Token[], vocabulary: readonly Token[]): SimilarityTable {
	const values = new Float64Array(words.length * vocabulary.length).fill(-1);
	return (wordIndex, vocabularyIndex) => {
		const slot = wordIndex * vocabulary.length + vocabularyIndex;
		const cached = values[slot] ?? -1;
		if (cached >= 0) return cached;
		const word = words[wordIndex];
		const candidate = vocabulary[vocabularyIndex];
		const value = word && candidate ? tokenSimilarity(word, candidate) : 0;
		values[slot] = value;
		return value;
	};
}

/** Word-by-word score: each query word pairs with at most one phrase word, best pairs first, in any order. */
function tokenScore(query: PreparedQuery, phrase: PreparedPhrase, table: SimilarityTable): number {
	const n = query.significant.length;
	const m = phrase.significant.length;
	if (n === 0 || m === 0) return 0;
	const usedQuery = new Array<boolean>(n).fill(false);
	const usedPhrase = new Array<boolean>(m).fill(false);
	let total = 0;
	let covered = 0;
	for (let round = Math.min(n, m); round > 0; round--) {
		let best = 0;
		let bestQ = -1;
		let bestP = -1;
		for (let q = 0; q < n; q++) {
			if (usedQuery[q]) continue;
			for (let p = 0; p < m; p++) {
				if (usedPhrase[p]) continue;
				const value = table(q, phrase.significant[p] ?? 0);
				if (value > best) {
					best = value;
					bestQ = q;
					bestP = p;
				}
			}
		}
		if (bestQ < 0) break;
		usedQuery[bestQ] = true;
		usedPhrase[bestP] = true;
		total += best;
		covered++;
	}
	return (total / n) * (COVER_BASE + ((1 - COVER_BASE) * covered) / m);
}

/** Whole-phrase score on the space-free forms: catches "leapday" for "leap day" and split or joined words. */
function compactScore(query: PreparedQuery, phrase: PreparedPhrase): number {
	const ql = query.compactPoints.length;
	const pl = phrase.compactPoints.length;
	if (ql === 0) return 0;
	if (query.compact === phrase.compact) return 1;
	let best = 0;
	if (pl > ql && phrase.compact.startsWith(query.compact)) best = PREFIX_BASE + ((1 - PREFIX_BASE) * ql) / pl;
	if (query.compactNumeric || phrase.compactNumeric) return best;
	const allowed = allowedTypos(Math.min(ql, pl));
	const distance = osa(query.compactPoints, phrase.compactPoints, allowed);
	// Stricter than per word (no 0.5 weight): a whole-string comparison also "forgives" missing words.
	if (distance <= allowed) best = Math.max(best, 1 - distance / Math.max(ql, pl));
	return best;
}

function scorePrepared(query: PreparedQuery, phrase: PreparedPhrase, table: SimilarityTable): number {
	return Math.max(tokenScore(query, phrase, table), compactScore(query, phrase));
}

/**
 * Score of a query against one phrase, in [0, 1]: typos are forgiven per word (more for longer words, never
 * in numbers), words may come in any order, a word may be a prefix of the phrase's word, and phrase words the
 * query does not mention cost a little. Convenient for tests and one-off comparisons; use an index for many.
 */
export function scorePhrase(query: string, phrase: string): number {
	const index = createIndex([{ id: '', phrases: [phrase] }]);
	return rank(index, query, 1)[0]?.score ?? 0;
}

function compareMatches(a: FuzzyMatch, b: FuzzyMatch): number {
	return b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function clampLimit(limit: number): number {
	return Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : limit > 0 ? Number.MAX_SAFE_INTEGER : 0;
}

/**
 * Entries whose best phrase scores at least `minScore` (and above 0), sorted by score, highest first, then
 * by id. At most `limit` results.
 */
export function rank(index: FuzzyIndex, query: string, limit = 10, minScore = 0): FuzzyMatch[] {
	const max = clampLimit(limit);
	const prepared = prepareQuery(query);
	if (max === 0 || prepared.significant.length === 0) return [];
	const table = createSimilarityTable(prepared.significant, index.vocabulary);
	const results: FuzzyMatch[] = [];
	for (const entry of index.entries) {
		let best = 0;
		let matchedPhrase = '';
		for (const phrase of entry.phrases) {
			const score = scorePrepared(prepared, phrase, table);
			if (score > best) {
				best = score;
				matchedPhrase = phrase.original;
			}
		}
		if (best > 0 && best >= minScore) results.push({ id: entry.id, score: best, matchedPhrase });
	}
	return results.sort(compareMatches).slice(0, max);
}

/** Each query word is a prefix of some phrase word: the score grows with how much of those words was typed. */
function wordPrefixRatio(query: PreparedQuery, phrase: PreparedPhrase, vocabulary: readonly Token[]): number {
	let typed = 0;
	let matched = 0;
	for (const word of query.tokens) {
		let shortest = Number.POSITIVE_INFINITY;
		for (const position of phrase.tokens) {
			const candidate = vocabulary[position];
			if (candidate?.text.startsWith(word.text)) shortest = Math.min(shortest, candidate.points.length);
		}
		if (shortest === Number.POSITIVE_INFINITY) return 0;
		typed += word.points.length;
		matched += shortest;
	}
	return matched === 0 ? 0 : typed / matched;
}

/**
 * Ranking for autocomplete, where the text is usually an unfinished word. Three bands, so completions always
 * come before guesses:
 * - 0.8–1: a phrase starts with the typed text (1 when it is the whole phrase);
 * - 0.6–0.8 (exclusive): every typed word starts a word of one phrase, in any order ("summ" → "Hanoi Summit");
 * - below 0.6: typo-forgiving score (`rank`'s score × 0.6), only when that score is at least 0.5.
 * Sorted by score, then id. An empty query gives no results; callers list their default order instead.
 */
export function complete(index: FuzzyIndex, partial: string, limit = 25): FuzzyMatch[] {
	const max = clampLimit(limit);
	const prepared = prepareQuery(partial);
	if (max === 0 || prepared.tokens.length === 0) return [];
	const table = createSimilarityTable(prepared.significant, index.vocabulary);
	const results: FuzzyMatch[] = [];
	for (const entry of index.entries) {
		let best = 0;
		let matchedPhrase = '';
		for (const phrase of entry.phrases) {
			let score = 0;
			const ql = prepared.compactPoints.length;
			if (phrase.normalized.startsWith(prepared.normalized) || phrase.compact.startsWith(prepared.compact)) {
				score = 0.8 + (0.2 * ql) / Math.max(ql, phrase.compactPoints.length);
			} else {
				const ratio = wordPrefixRatio(prepared, phrase, index.vocabulary);
				// The 0.99 factors keep each band strictly below the one above it.
				if (ratio > 0) score = 0.6 + 0.2 * 0.99 * Math.min(1, ratio);
				else {
					const fuzzy = scorePrepared(prepared, phrase, table);
					if (fuzzy >= 0.5) score = 0.6 * 0.99 * fuzzy;
				}
			}
			if (score > best) {
				best = score;
				matchedPhrase = phrase.original;
			}
		}
		if (best > 0) results.push({ id: entry.id, score: best, matchedPhrase });
	}
	return results.sort(compareMatches).slice(0, max);
}

/**
 * Every entry ranked by plain edit-distance similarity of the space-free forms (1 − distance / longer
 * length), with no typo limit. A last resort for "did you mean" when nothing matches well; an empty query
 * scores every entry 0, which leaves them in id order.
 */
export function nearest(index: FuzzyIndex, query: string, limit = 3): FuzzyMatch[] {
	const max = clampLimit(limit);
	if (max === 0) return [];
	const points = toCodePoints(normalize(query).replaceAll(' ', '')).slice(0, MAX_NEAREST_CODE_POINTS);
	const results: FuzzyMatch[] = [];
	for (const entry of index.entries) {
		let best = 0;
		let matchedPhrase = entry.phrases[0]?.original ?? '';
		for (const phrase of entry.phrases) {
			const longer = Math.max(points.length, phrase.compactPoints.length);
			if (points.length === 0) continue;
			const score = 1 - osa(points, phrase.compactPoints, longer) / longer;
			if (score > best) {
				best = score;
				matchedPhrase = phrase.original;
			}
		}
		results.push({ id: entry.id, score: best, matchedPhrase });
	}
	return results.sort(compareMatches).slice(0, max);
}

/**
 * "Did you mean" ids: matches scoring at least `SUGGESTION_MIN` first, then the nearest by edit distance,
 * without repeats. Never empty while the index has entries.
 */
export function suggestClosest(index: FuzzyIndex, query: string, limit = 3): string[] {
	const max = clampLimit(limit);
	const ids = rank(index, query, max, SUGGESTION_MIN).map((match) => match.id);
	if (ids.length < max) {
		for (const match of nearest(index, query, index.entries.length)) {
			if (ids.length >= max) break;
			if (!ids.includes(match.id)) ids.push(match.id);
		}
	}
	return ids;
}

/** What a ranked list means for a lookup. */
export type FuzzyDecision =
	| { readonly kind: 'clear'; readonly match: FuzzyMatch }
	| { readonly kind: 'tied'; readonly matches: readonly FuzzyMatch[] }
	| { readonly kind: 'none' };

/**
 * Applies the thresholds to a `rank` result: `clear` when the best score is at least `FUZZY_MATCH_MIN` and
 * leads the next entry by at least `FUZZY_CLEAR_MARGIN`; `tied` with every entry within the margin of the
 * best (all at least `FUZZY_MATCH_MIN`) when it does not; `none` otherwise. Pass the whole ranking (not a
 * top-1 slice), or a tie cannot be seen.
 */
export function decide(ranked: readonly FuzzyMatch[]): FuzzyDecision {
	const [best, second] = ranked;
	if (!best || best.score < FUZZY_MATCH_MIN) return { kind: 'none' };
	// A tiny epsilon keeps a lead of exactly the margin from being lost to floating-point rounding.
	if (!second || best.score - second.score >= FUZZY_CLEAR_MARGIN - 1e-9) return { kind: 'clear', match: best };
	return {
		kind: 'tied',
		matches: ranked.filter(
			(match) => match.score >= FUZZY_MATCH_MIN && best.score - match.score < FUZZY_CLEAR_MARGIN - 1e-9,
		),
	};
}
