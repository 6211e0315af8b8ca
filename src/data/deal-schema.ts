import { z } from 'zod';
import { ConcessionId } from './concession-schema.js';

// The concession catalog owns the ids; deals link their commitments to them.
export { CONCESSION_IDS, ConcessionId } from './concession-schema.js';

export const PARTIES = ['US', 'DPRK', 'ROK', 'China', 'Japan', 'Russia'] as const;
export const Party = z.enum(PARTIES);
export type Party = z.infer<typeof Party>;

export const DEAL_STATUSES = [
	'collapsed',
	'superseded',
	'no-agreement',
	'partly-implemented',
	'never-implemented',
	'lapsed',
] as const;
export const DealStatus = z.enum(DEAL_STATUSES);
export type DealStatus = z.infer<typeof DealStatus>;

export const CAMPS = ['pressure', 'compromise'] as const;
export const Camp = z.enum(CAMPS);
export type Camp = z.infer<typeof Camp>;

/** A real calendar date written YYYY-MM-DD (zod's ISO date check rejects 2013-02-29 and the like). */
export const IsoDate = z.iso.date();

export const SourceKey = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/, 'source key: letters, digits and dashes');

export const SourceKeys = z.array(SourceKey).min(1, 'at least one source');

/** Parsed with the WHATWG URL parser, as the links are handed to Discord unchanged. */
export const HttpUrl = z.string().refine((value) => {
	try {
		const url = new URL(value);
		return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.includes('.');
	} catch {
		return false;
	}
}, 'must be a well-formed http(s) URL');

const text = (max: number) => z.string().trim().min(1).max(max);

export const SourceEntry = z
	.object({
		key: SourceKey,
		url: HttpUrl,
		title: text(200),
		supports: text(200),
	})
	.strict();
export type SourceEntry = z.infer<typeof SourceEntry>;

export const Commitment = z
	.object({
		party: Party,
		short: text(80),
		text: text(300),
		concession: ConcessionId.nullable(),
		note: text(200).nullable(),
		/**
		 * How firm the commitment is. Absent means `agreed`. `offer`: put on the table but not agreed (no-deal talks);
		 * `one-sided-claim`: asserted by only one side's statement; `reported`: known only from a press report.
		 * Balance presets count `agreed` and `offer` items only.
		 */
		scope: z.enum(['agreed', 'offer', 'one-sided-claim', 'reported']).optional(),
		sources: SourceKeys,
	})
	.strict();
export type Commitment = z.infer<typeof Commitment>;

export const DealEvent = z
	.object({
		date: IsoDate,
		/** Shown instead of `date` when the date is approximate ("late 1997"); `date` then only orders the event. */
		dateLabel: text(80).nullable(),
		text: text(300),
		sources: SourceKeys,
	})
	.strict();
export type DealEvent = z.infer<typeof DealEvent>;

export const Lesson = z
	.object({
		text: text(400),
		attribution: text(120),
		sources: SourceKeys,
	})
	.strict();
export type Lesson = z.infer<typeof Lesson>;

export const Reading = z
	.object({
		camp: Camp,
		text: text(300),
		attribution: text(120),
		sources: SourceKeys,
	})
	.strict();
export type Reading = z.infer<typeof Reading>;

/**
 * An alias is what people type after `/deal`. It must contain a letter: bare dates such as "9/19" are
 * ambiguous (two deals share 19 September) and date lookups go through the deals' dates instead.
 */
export const Alias = z
	.string()
	.min(2)
	.max(60)
	.refine((value) => value === value.toLowerCase() && value === value.trim(), 'aliases are lowercase and trimmed')
	.refine((value) => /\p{L}/u.test(value), 'an alias must contain a letter (no bare dates)');

export const DealBody = z
	.object({
		schemaVersion: z.literal(1),
		id: z.string().regex(/^[a-z]+\d{4}$/, 'id: lowercase letters then a four-digit year'),
		name: text(60),
		fullName: text(200),
		aliases: z.array(Alias).min(1),
		date: z
			.object({
				start: IsoDate,
				end: IsoDate.nullable(),
				label: text(200),
				sources: SourceKeys,
			})
			.strict(),
		place: z.object({ text: text(200), sources: SourceKeys }).strict(),
		parties: z.array(Party).min(2),
		summary: z.object({ text: text(600), sources: SourceKeys }).strict(),
		commitments: z.array(Commitment).min(1),
		events: z.array(DealEvent).min(1),
		ending: z.object({ date: IsoDate.nullable(), text: text(400), sources: SourceKeys }).strict(),
		status: DealStatus,
		outcome: text(90),
		duration: z.object({ text: text(200), days: z.number().int().nonnegative().nullable() }).strict(),
		lessons: z.array(Lesson).min(1).max(3),
		readings: z.array(Reading).max(4),
		primaryText: z.object({ url: HttpUrl, title: text(200) }).strict(),
		sources: z.array(SourceEntry).min(1),
	})
	.strict();

/** Every source key a deal cites, with the JSON path of the citing field (for error messages). */
export function citedSourceKeys(deal: z.infer<typeof DealBody>): { path: string; key: string }[] {
	const cited: { path: string; key: string }[] = [];
	const add = (path: string, keys: readonly string[]) => {
		for (const key of keys) cited.push({ path, key });
	};
	add('date.sources', deal.date.sources);
	add('place.sources', deal.place.sources);
	add('summary.sources', deal.summary.sources);
	add('ending.sources', deal.ending.sources);
	const lists = { commitments: deal.commitments, events: deal.events, lessons: deal.lessons, readings: deal.readings };
	for (const [name, items] of Object.entries(lists)) {
		for (const [index, item] of items.entries()) add(`${name}[${index}].sources`, item.sources);
	}
	return cited;
}

function duplicates(values: readonly string[]): string[] {
	const seen = new Set<string>();
	const repeated = new Set<string>();
	for (const value of values) {
		if (seen.has(value)) repeated.add(value);
		seen.add(value);
	}
	return [...repeated];
}

/**
 * One deal file. Besides the shape, it checks what can be checked inside one file: source keys resolve
 * and are all used, the link button points at a listed source, dates and events are in order, and every
 * committing party is a party to the deal.
 */
export const Deal = DealBody.superRefine((deal, context) => {
	const issue = (path: (string | number)[], message: string) =>
		context.addIssue({ code: 'custom', path, message, input: deal });

	const keys = deal.sources.map((source) => source.key);
	for (const key of duplicates(keys)) issue(['sources'], `source key "${key}" is listed more than once`);
	const known = new Set(keys);
	const cited = citedSourceKeys(deal);
	for (const { path, key } of cited) {
		if (!known.has(key)) issue([path], `cites unknown source "${key}"`);
	}
	const used = new Set(cited.map(({ key }) => key));
	for (const key of keys) {
		if (!used.has(key)) issue(['sources'], `source "${key}" is listed but never cited`);
	}
	if (!deal.sources.some((source) => source.url === deal.primaryText.url)) {
		issue(['primaryText', 'url'], 'primaryText.url must be the URL of one of the listed sources');
	}

	for (const alias of duplicates(deal.aliases)) issue(['aliases'], `alias "${alias}" is listed more than once`);
	for (const party of duplicates(deal.parties)) issue(['parties'], `party "${party}" is listed more than once`);
	deal.commitments.forEach((item, index) => {
		if (!deal.parties.includes(item.party)) {
			issue(['commitments', index, 'party'], `party "${item.party}" is not one of the deal's parties`);
		}
	});

	if (deal.date.end !== null && deal.date.end < deal.date.start)
		issue(['date', 'end'], 'date.end is before date.start');
	deal.events.forEach((item, index) => {
		const previous = deal.events[index - 1];
		if (previous && item.date < previous.date) issue(['events', index, 'date'], 'events are not in date order');
	});
});
export type Deal = z.infer<typeof Deal>;
