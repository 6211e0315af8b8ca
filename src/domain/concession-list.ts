/**
 * Reading a typed list of concessions ("food aid, hfo; sanctions relief") into catalogue ids, and
 * completing the item being typed for Discord autocomplete. Decoupled from the catalogue schema: callers
 * pass plain `ConcessionLookupEntry` values.
 */
import {
	complete,
	createIndex,
	decide,
	FUZZY_CLEAR_MARGIN,
	type FuzzyIndex,
	type FuzzyMatch,
	normalize,
	rank,
	suggestClosest,
} from './fuzzy.js';

export type Side = 'us' | 'dprk';

/** What the lookup needs to know about a concession. */
export interface ConcessionLookupEntry {
	readonly id: string;
	/** The side that gives (concedes) this item. */
	readonly giver: Side;
	readonly name: string;
	readonly aliases: readonly string[];
}

type ExactVia = 'id' | 'name' | 'alias';

/** Precomputed lookup tables; build once with `createConcessionIndex`. */
export interface ConcessionIndex {
	/** Entries in catalogue order. */
	readonly entries: readonly ConcessionLookupEntry[];
	readonly byId: ReadonlyMap<string, ConcessionLookupEntry>;
	/** Space-free normalized phrase → the entries it names exactly, and how. */
	readonly exact: ReadonlyMap<string, readonly { readonly id: string; readonly via: ExactVia }[]>;
	/** One fuzzy index per giving side, so a ranking never mixes sides. */
	readonly fuzzy: { readonly us: FuzzyIndex; readonly dprk: FuzzyIndex };
}

/** How a typed list was understood. Every `input` is the piece as typed, trimmed. */
export interface ConcessionListResult {
	/** Resolved ids given by the requested side, without repeats, in the order typed. */
	readonly ids: readonly string[];
	/** Ids typed more than once (each listed once). */
	readonly duplicates: readonly string[];
	/** Pieces that match nothing on this side, with up to three ids of this side to suggest. */
	readonly unknown: readonly { readonly input: string; readonly suggestions: readonly string[] }[];
	/** Pieces that name an item the other side gives. */
	readonly wrongSide: readonly { readonly input: string; readonly id: string }[];
	/** Pieces that match several items of this side equally well (ids in catalogue order). */
	readonly ambiguous: readonly { readonly input: string; readonly candidates: readonly string[] }[];
	/** Pieces resolved by alias or by typo-forgiving match: worth showing the user how they were read. */
	readonly interpreted: readonly { readonly input: string; readonly id: string }[];
	/** Limits broken (too long, too many items). When non-empty nothing was parsed and `ids` is empty. */
	readonly errors: readonly string[];
}

/** An autocomplete choice: the whole new option value, shown and submitted as is. */
export interface ConcessionSuggestion {
	readonly name: string;
	readonly value: string;
}

/** Items one side may list in one `/balance` option. */
export const MAX_CONCESSION_ITEMS = 20;
/** Characters accepted in one list. */
export const MAX_CONCESSION_INPUT = 1_000;
/** Discord's limits: 25 autocomplete choices, 100 characters per choice name and value. */
export const MAX_CONCESSION_SUGGESTIONS = 25;
export const MAX_SUGGESTION_LENGTH = 100;

const LIST_SEPARATORS = /[,;\n\r]+/;
// Tried only when a piece is not an exact item as a whole, so names containing "and" still resolve.
const AND_SEPARATORS = /\s+(?:and|plus)\s+|\s*[&+]\s*/iu;

function compactKey(text: string): string {
	return normalize(text).replaceAll(' ', '');
}

export function createConcessionIndex(entries: readonly ConcessionLookupEntry[]): ConcessionIndex {
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
		for (const alias of entry.aliases) addExact(alias, entry.id, 'alias');
	}
	const fuzzyFor = (side: Side): FuzzyIndex =>
		createIndex(
			entries
				.filter((entry) => entry.giver === side)
				.map((entry) => ({ id: entry.id, phrases: [entry.name, ...entry.aliases, entry.id] })),
		);
	return {
		entries,
		byId: new Map(entries.map((entry) => [entry.id, entry])),
		exact,
		fuzzy: { us: fuzzyFor('us'), dprk: fuzzyFor('dprk') },
	};
}

type Resolution =
	| { readonly kind: 'found'; readonly id: string; readonly via: ExactVia | 'fuzzy' }
	| { readonly kind: 'wrongSide'; readonly id: string }
	| { readonly kind: 'ambiguous'; readonly candidates: readonly string[] }
	| { readonly kind: 'unknown'; readonly suggestions: readonly string[] };

const VIA_ORDER: readonly ExactVia[] = ['id', 'name', 'alias'];

function inCatalogueOrder(index: ConcessionIndex, ids: Iterable<string>): string[] {
	const wanted = new Set(ids);
	return index.entries.filter((entry) => wanted.has(entry.id)).map((entry) => entry.id);
}

function resolveExact(index: ConcessionIndex, piece: string, side: Side): Resolution | null {
	const matches = index.exact.get(compactKey(piece));
	if (!matches || matches.length === 0) return null;
	const sideOf = (id: string): Side | undefined => index.byId.get(id)?.giver;
	for (const via of VIA_ORDER) {
		const ids = [...new Set(matches.filter((item) => item.via === via && sideOf(item.id) === side).map((m) => m.id))];
		const [only] = ids;
		if (ids.length === 1 && only !== undefined) return { kind: 'found', id: only, via };
		if (ids.length > 1) return { kind: 'ambiguous', candidates: inCatalogueOrder(index, ids) };
	}
	const [other] = inCatalogueOrder(
		index,
		matches.map((item) => item.id),
	);
	return other === undefined ? null : { kind: 'wrongSide', id: other };
}

function resolvePiece(index: ConcessionIndex, piece: string, side: Side): Resolution {
	const exact = resolveExact(index, piece, side);
	if (exact) return exact;

	const otherSide: Side = side === 'us' ? 'dprk' : 'us';
	const own = rank(index.fuzzy[side], piece, Number.POSITIVE_INFINITY);
	const other = decide(rank(index.fuzzy[otherSide], piece, Number.POSITIVE_INFINITY));
	const decision = decide(own);
	const ownBest = own[0]?.score ?? 0;
	// The other side wins only when it is clearly better: "sanctions relief" typed under the DPRK's gives.
	if (other.kind === 'clear' && other.match.score >= ownBest + FUZZY_CLEAR_MARGIN) {
		return { kind: 'wrongSide', id: other.match.id };
	}
	if (decision.kind === 'clear') return { kind: 'found', id: decision.match.id, via: 'fuzzy' };
	if (decision.kind === 'tied') {
		return {
			kind: 'ambiguous',
			candidates: inCatalogueOrder(
				index,
				decision.matches.map((match: FuzzyMatch) => match.id),
			),
		};
	}
	return { kind: 'unknown', suggestions: suggestClosest(index.fuzzy[side], piece, 3) };
}

interface ResolvedPiece {
	readonly input: string;
	readonly resolution: Resolution;
}

/**
 * Resolves one comma- or semicolon-separated piece. When the piece as a whole is not an exact item and it
 * joins parts with "and", "plus", "&" or "+", and every part is an item of this side, the parts are used
 * instead ("food aid and hfo" is two items; an item whose own name contains "and" still wins as a whole).
 */
function resolveWithConjunctions(index: ConcessionIndex, piece: string, side: Side): ResolvedPiece[] {
	const whole = resolvePiece(index, piece, side);
	if (whole.kind === 'found' && whole.via !== 'fuzzy') return [{ input: piece, resolution: whole }];
	const parts = piece
		.split(AND_SEPARATORS)
		.map((part) => part.trim())
		.filter((part) => normalize(part) !== '');
	if (parts.length > 1) {
		const resolved = parts.map((part) => ({ input: part, resolution: resolvePiece(index, part, side) }));
		if (resolved.every((part) => part.resolution.kind === 'found')) return resolved;
	}
	return [{ input: piece, resolution: whole }];
}

function splitList(text: string): string[] {
	return text
		.split(LIST_SEPARATORS)
		.map((piece) => piece.trim())
		.filter((piece) => normalize(piece) !== '');
}

function emptyResult(errors: string[]): ConcessionListResult {
	return { ids: [], duplicates: [], unknown: [], wrongSide: [], ambiguous: [], interpreted: [], errors };
}

/**
 * Reads a list of concessions given by `side`. Pieces are separated by commas, semicolons or line breaks;
 * "and", "plus", "&" and "+" split a piece only as described in `resolveWithConjunctions`. Pieces that are
 * blank or only punctuation are ignored. Each piece resolves by exact id, name or alias first, then by a
 * typo-forgiving match; an alias that is a generic phrase ("sanctions relief") resolves to the item that
 * carries it. More than `MAX_CONCESSION_ITEMS` items or more than `MAX_CONCESSION_INPUT` characters give an
 * error and no ids. Never throws.
 */
export function parseConcessionList(index: ConcessionIndex, text: string, side: Side): ConcessionListResult {
	const input = String(text);
	if (input.length > MAX_CONCESSION_INPUT) {
		return emptyResult([
			`That list is ${input.length.toLocaleString('en-US')} characters long; the limit is ${MAX_CONCESSION_INPUT.toLocaleString('en-US')}.`,
		]);
	}
	const pieces = splitList(input);
	const tooMany = (count: number): ConcessionListResult =>
		emptyResult([`That list has ${count} items; one side can list at most ${MAX_CONCESSION_ITEMS}.`]);
	if (pieces.length > MAX_CONCESSION_ITEMS) return tooMany(pieces.length);
	const resolved = pieces.flatMap((piece) => resolveWithConjunctions(index, piece, side));
	if (resolved.length > MAX_CONCESSION_ITEMS) return tooMany(resolved.length);

	const ids: string[] = [];
	const duplicates: string[] = [];
	const unknown: { input: string; suggestions: readonly string[] }[] = [];
	const wrongSide: { input: string; id: string }[] = [];
	const ambiguous: { input: string; candidates: readonly string[] }[] = [];
	const interpreted: { input: string; id: string }[] = [];
	for (const { input: piece, resolution } of resolved) {
		switch (resolution.kind) {
			case 'found':
				if (ids.includes(resolution.id)) {
					if (!duplicates.includes(resolution.id)) duplicates.push(resolution.id);
					break;
				}
				ids.push(resolution.id);
				if (resolution.via === 'alias' || resolution.via === 'fuzzy')
					interpreted.push({ input: piece, id: resolution.id });
				break;
			case 'wrongSide':
				wrongSide.push({ input: piece, id: resolution.id });
				break;
			case 'ambiguous':
				ambiguous.push({ input: piece, candidates: resolution.candidates });
				break;
			case 'unknown':
				unknown.push({ input: piece, suggestions: resolution.suggestions });
				break;
		}
	}
	return { ids, duplicates, unknown, wrongSide, ambiguous, interpreted, errors: [] };
}

/**
 * Autocomplete for the item being typed in a list option. Everything up to the last comma or semicolon is
 * kept as typed (minus control and zero-width characters, which Discord would reject) and each choice
 * appends one catalogue name: typing "food aid, he" offers "food aid, Heavy fuel oil". Only items given by
 * `side` are offered, never one already listed; a blank last piece offers every remaining item in catalogue
 * order. Choices longer than Discord's 100 characters are dropped. At most `limit`, capped at 25.
 */
export function suggestConcessions(
	index: ConcessionIndex,
	typedText: string,
	side: Side,
	limit = MAX_CONCESSION_SUGGESTIONS,
): ConcessionSuggestion[] {
	const max = Number.isFinite(limit)
		? Math.min(MAX_CONCESSION_SUGGESTIONS, Math.max(0, Math.floor(limit)))
		: limit > 0
			? MAX_CONCESSION_SUGGESTIONS
			: 0;
	const text = String(typedText);
	// No choice can fit once the kept text alone reaches Discord's limit.
	if (max === 0 || text.length > MAX_SUGGESTION_LENGTH * 2) return [];
	const cut = Math.max(text.lastIndexOf(','), text.lastIndexOf(';'), text.lastIndexOf('\n'));
	const kept = text
		.slice(0, cut + 1)
		.replace(/[\t\n\v\f\r\u0085]+/gu, ' ')
		.replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Co}]+/gu, '')
		.trimEnd();
	const current = text.slice(cut + 1);

	const listed = new Set<string>();
	for (const piece of splitList(kept)) {
		for (const { resolution } of resolveWithConjunctions(index, piece, side)) {
			if (resolution.kind === 'found') listed.add(resolution.id);
		}
	}
	const available = index.entries.filter((entry) => entry.giver === side && !listed.has(entry.id));
	const ordered =
		normalize(current) === ''
			? available
			: complete(index.fuzzy[side], current, Number.POSITIVE_INFINITY).flatMap((match) => {
					const entry = index.byId.get(match.id);
					return entry && !listed.has(entry.id) ? [entry] : [];
				});
	const suggestions: ConcessionSuggestion[] = [];
	for (const entry of ordered) {
		if (suggestions.length >= max) break;
		const value = kept === '' ? entry.name : `${kept} ${entry.name}`;
		if (value.length <= MAX_SUGGESTION_LENGTH) suggestions.push({ name: value, value });
	}
	return suggestions;
}
