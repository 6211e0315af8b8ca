import { z } from 'zod';
import { ConcessionId } from './concession-schema.js';
import { PublisherId } from './publisher-schema.js';

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
		/** The id of the publisher in data/publishers.json whose own page this is. */
		publisher: PublisherId,
		/** What the page is, in our words, without the publisher's name (shown as "Publisher: title"). */
		title: text(200),
		supports: text(200),
	})
	.strict();
export type SourceEntry = z.infer<typeof SourceEntry>;

/**
 * Who stands behind a commitment. `agreed`: in the agreed text (the givers are bound by it); `offered`: put on the table
 * by its giver, not agreed; `demanded`: asked by `by` of the givers, not agreed; `claimed`: said by one person or side
 * afterwards but in no text; `reported`: known only from a named outlet's report.
 */
export const Stance = z.discriminatedUnion('kind', [
	z.object({ kind: z.literal('agreed') }).strict(),
	z.object({ kind: z.literal('offered'), by: Party }).strict(),
	z.object({ kind: z.literal('demanded'), by: Party }).strict(),
	z
		.object({
			kind: z.literal('claimed'),
			by: text(60),
			side: Party,
			/** `afterwards`: said after the talks, in no text (the default); `own-statement`: in one side's statement only. */
			context: z.enum(['afterwards', 'own-statement']).optional(),
		})
		.strict(),
	z.object({ kind: z.literal('reported'), outlet: text(60) }).strict(),
]);
export type Stance = z.infer<typeof Stance>;
export type StanceKind = Stance['kind'];

/** One pledging party's part of a multi-party pledge ("200,000 tons"). */
export const Share = z.object({ party: Party, text: text(80), sources: SourceKeys }).strict();
export type Share = z.infer<typeof Share>;

export const Commitment = z
	.object({
		/** Who would do or give it. */
		givers: z.array(Party).min(1),
		stance: Stance,
		/** What is given, as a phrase that follows "agreed to" / "offered to" ("freeze its graphite reactors"). */
		short: text(100),
		text: text(300),
		concession: ConcessionId.nullable(),
		shares: z.array(Share).optional(),
		note: text(200).nullable(),
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
		/** Only one source in reach carries this event; the card says so. */
		singleSource: z.boolean().optional(),
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

/** A named advocate: a person (with the role that makes them worth hearing) or an institution. */
export const Voice = z.object({ name: text(80), role: text(120) }).strict();
export type Voice = z.infer<typeof Voice>;

/** A camp's argument in its advocate's own published words (quoted or closely paraphrased), with a source. */
export const CasePoint = z
	.object({
		text: text(300),
		voice: Voice,
		sources: SourceKeys,
	})
	.strict();
export type CasePoint = z.infer<typeof CasePoint>;

/** One camp's case: an attributed summary in neutral verbs ("X argues that…") and 1–3 points by its advocates. */
export const Case = z.object({ summary: text(500), points: z.array(CasePoint).min(1).max(3) }).strict();
export type Case = z.infer<typeof Case>;

export const BothCases = z.object({ pressure: Case, compromise: Case }).strict();
export type BothCases = z.infer<typeof BothCases>;

/**
 * What "Read the primary text" opens: the text itself, or, where talks produced no text, each side's official
 * statement and a note saying so.
 */
export const PrimaryLink = z.discriminatedUnion('kind', [
	z.object({ kind: z.literal('text'), source: SourceKey }).strict(),
	z
		.object({
			kind: z.literal('statements'),
			note: text(200),
			statements: z
				.array(z.object({ party: Party, source: SourceKey }).strict())
				.min(1)
				.max(4),
		})
		.strict(),
]);
export type PrimaryLink = z.infer<typeof PrimaryLink>;

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
		schemaVersion: z.literal(2),
		id: z.string().regex(/^[a-z]+\d{4}$/, 'id: lowercase letters then a four-digit year'),
		name: text(60),
		fullName: text(200),
		aliases: z.array(Alias).min(1),
		/** Places, programmes and themes the deal involves ("yongbyon", "kedo", "sanctions"): `/deal yongbyon` lists them. */
		topics: z.array(Alias).min(1),
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
		cases: BothCases,
		primary: PrimaryLink,
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
	const lists = { commitments: deal.commitments, events: deal.events, lessons: deal.lessons };
	for (const [name, items] of Object.entries(lists)) {
		for (const [index, item] of items.entries()) add(`${name}[${index}].sources`, item.sources);
	}
	for (const [index, item] of deal.commitments.entries()) {
		for (const [at, share] of (item.shares ?? []).entries())
			add(`commitments[${index}].shares[${at}].sources`, share.sources);
	}
	for (const camp of CAMPS) {
		for (const [index, point] of deal.cases[camp].points.entries())
			add(`cases.${camp}.points[${index}].sources`, point.sources);
	}
	if (deal.primary.kind === 'text') add('primary.source', [deal.primary.source]);
	else {
		for (const [index, statement] of deal.primary.statements.entries())
			add(`primary.statements[${index}].source`, [statement.source]);
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
	for (const alias of duplicates(deal.aliases)) issue(['aliases'], `alias "${alias}" is listed more than once`);
	for (const party of duplicates(deal.parties)) issue(['parties'], `party "${party}" is listed more than once`);
	const isParty = (party: Party) => deal.parties.includes(party);
	deal.commitments.forEach((item, index) => {
		const at = ['commitments', index];
		for (const party of item.givers) {
			if (!isParty(party)) issue([...at, 'givers'], `party "${party}" is not one of the deal's parties`);
		}
		for (const party of duplicates(item.givers)) issue([...at, 'givers'], `party "${party}" is listed twice`);
		const { stance } = item;
		if (stance.kind === 'offered' && (item.givers.length !== 1 || item.givers[0] !== stance.by))
			issue([...at, 'stance'], 'an offer is made by its giver: givers must be exactly [stance.by]');
		if (stance.kind === 'demanded' && (item.givers.includes(stance.by) || !isParty(stance.by)))
			issue([...at, 'stance'], 'a demand is made by one party of others: stance.by must be a party and not a giver');
		if (stance.kind === 'claimed' && !isParty(stance.side))
			issue([...at, 'stance'], `side "${stance.side}" is not one of the deal's parties`);
		item.shares?.forEach((share, shareIndex) => {
			if (!item.givers.includes(share.party))
				issue([...at, 'shares', shareIndex], `a share belongs to one of the givers, not "${share.party}"`);
		});
	});

	const pressureVoices = new Set(deal.cases.pressure.points.map((point) => point.voice.name.toLowerCase()));
	deal.cases.compromise.points.forEach((point, index) => {
		if (pressureVoices.has(point.voice.name.toLowerCase()))
			issue(['cases', 'compromise', 'points', index, 'voice'], `${point.voice.name} cannot speak for both camps`);
	});

	if (deal.date.end !== null && deal.date.end < deal.date.start)
		issue(['date', 'end'], 'date.end is before date.start');
	deal.events.forEach((item, index) => {
		const previous = deal.events[index - 1];
		if (previous && item.date < previous.date) issue(['events', index, 'date'], 'events are not in date order');
	});
});
export type Deal = z.infer<typeof Deal>;
