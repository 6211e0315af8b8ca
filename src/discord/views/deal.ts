import {
	type APIActionRowComponent,
	type APIButtonComponent,
	type APIEmbed,
	type APIEmbedField,
	ButtonStyle,
	ComponentType,
} from 'discord-api-types/v10';
import type { BothCases, Camp, Commitment, Deal, DealStatus, SourceEntry } from '../../data/deal-schema.js';
import type { PublisherRegistry } from '../../data/publishers.js';
import { encodeCustomId } from '../custom-id.js';
import { clip, formatDate, formatShortDate, partyName, yearOf } from '../format.js';
import { commitmentsByStance, sharesText } from './stance.js';

export const DEAL_VIEWS = ['summary', 'commitments', 'timeline', 'lessons', 'sources'] as const;
export type DealView = (typeof DEAL_VIEWS)[number];

const VIEW_LABELS: Record<DealView, string> = {
	summary: 'Summary',
	commitments: 'Commitments',
	timeline: 'Timeline',
	lessons: 'Lessons',
	sources: 'Sources',
};

export const STATUS_LABELS: Record<DealStatus, string> = {
	collapsed: 'Collapsed',
	superseded: 'Superseded',
	'no-agreement': 'No agreement',
	'partly-implemented': 'Partly implemented',
	'never-implemented': 'Never implemented',
	lapsed: 'Lapsed',
};

const STATUS_COLOURS: Record<DealStatus, number> = {
	collapsed: 0xef4444,
	superseded: 0x3b82f6,
	'no-agreement': 0x94a3b8,
	'partly-implemented': 0xf59e0b,
	'never-implemented': 0xa855f7,
	lapsed: 0xf97316,
};

/** Room left under Discord's 6,000-character total per message for titles, footers and markup. */
const PAGE_BUDGET = 5_400;
const FIELD_MAX = 1_024;

export interface DealMessage {
	readonly embeds: APIEmbed[];
	readonly components: APIActionRowComponent<APIButtonComponent>[];
	readonly allowedMentions: { parse: [] };
}

/** `[1, 3]`: the numbers of a deal's sources as listed in its Sources view. */
export function citation(deal: Deal, keys: readonly string[]): string {
	const numbers = keys
		.map((key) => deal.sources.findIndex((source) => source.key === key) + 1)
		.filter((number) => number > 0)
		.sort((a, b) => a - b);
	return numbers.length > 0 ? ` [${[...new Set(numbers)].join(', ')}]` : '';
}

function dateSpan(deal: Deal): string {
	const { start, end } = deal.date;
	return end && end !== start ? `${formatShortDate(start)} – ${formatShortDate(end)}` : formatShortDate(start);
}

/** The link "Read the primary text" opens: the text itself, or the first side's statement where there is no text. */
export function primaryUrl(deal: Deal): string {
	const key = deal.primary.kind === 'text' ? deal.primary.source : deal.primary.statements[0]?.source;
	return deal.sources.find((source) => source.key === key)?.url ?? deal.sources[0]?.url ?? '';
}

/** A commitment as a bullet under its stance heading: what is given, and each pledging party's share. */
function commitmentBullet(item: Commitment): string {
	const shares = sharesText(item);
	return `${item.short}${shares ? ` (${shares})` : ''}`;
}

/**
 * Which camp is shown first. Neither camp always goes first: pressure leads for deals that began in an even year,
 * compromise for odd years, and every card that shows both says so.
 */
export function campOrder(year: number): readonly [Camp, Camp] {
	return year % 2 === 0 ? ['pressure', 'compromise'] : ['compromise', 'pressure'];
}

export function campOrderNote(year: number): string {
	const [first] = campOrder(year);
	return `Neither camp always comes first: the order alternates by year (here ${first} first). Parley reports each camp as its advocates argue it and endorses neither.`;
}

export const CAMP_HEADINGS: Record<Camp, string> = {
	pressure: 'The case for pressure',
	compromise: 'The case for compromise',
};

/** One camp's case: Parley's attributed summary, then each advocate's own words with who they are and the source. */
export function caseLines(cases: BothCases, camp: Camp, cite: (keys: readonly string[]) => string): string[] {
	const position = cases[camp];
	return [
		position.summary,
		// The advocate's words: quoted in the data where quoted, closely paraphrased otherwise, so no marks around the whole.
		...position.points.map(
			(point) => `• ${point.text} — **${point.voice.name}**, ${point.voice.role}${cite(point.sources)}`,
		),
	];
}

function baseEmbed(deal: Deal, view: DealView): APIEmbed {
	return {
		title: `${deal.name} (${yearOf(deal.date.start)})${view === 'summary' ? '' : ` — ${VIEW_LABELS[view]}`}`,
		url: primaryUrl(deal),
		color: STATUS_COLOURS[deal.status],
	};
}

const FOOTER = 'Facts carry numbered sources (see Sources); interpretations are attributed to who holds them.';

function summaryEmbed(deal: Deal, publishers: PublisherRegistry): APIEmbed {
	const fields: APIEmbedField[] = [
		{ name: 'When', value: deal.date.label, inline: false },
		{ name: 'Where', value: deal.place.text, inline: false },
		{ name: 'Parties', value: deal.parties.map(partyName).join(', '), inline: false },
	];
	const groups = commitmentsByStance(deal);
	const shownGroups = groups.slice(0, 4);
	for (const group of shownGroups) {
		const limit = group.items.length <= 5 ? 5 : 4;
		const shown = group.items.slice(0, limit).map((item) => `• ${commitmentBullet(item)}${item.note ? ' *' : ''}`);
		if (group.items.length > shown.length)
			shown.push(`• …and ${group.items.length - shown.length} more (see Commitments)`);
		fields.push({ name: clip(group.heading, 256), value: clip(shown.join('\n'), FIELD_MAX), inline: false });
	}
	if (groups.length > shownGroups.length) {
		const rest = groups.slice(shownGroups.length).reduce((sum, group) => sum + group.items.length, 0);
		fields.push({
			name: 'More',
			value: `${rest} more item${rest === 1 ? '' : 's'} by other stances: see Commitments.`,
		});
	}
	if (deal.primary.kind === 'statements') fields.push({ name: 'No joint text', value: deal.primary.note });
	const endDate = deal.ending.date ? `${formatDate(deal.ending.date)}: ` : '';
	fields.push({
		name: `How it ended — ${STATUS_LABELS[deal.status]}`,
		value: `${endDate}${deal.ending.text}${citation(deal, deal.ending.sources)}`,
	});
	fields.push({ name: 'How long it lasted', value: deal.duration.text });
	const lesson = deal.lessons[0];
	if (lesson)
		fields.push({ name: 'A lesson drawn from it', value: clip(`“${lesson.text}” — ${lesson.attribution}`, FIELD_MAX) });
	// The sources behind the summary come first: they are the ones a reader checking the card needs.
	const keyed = [...deal.summary.sources, ...deal.sources.map((source) => source.key)];
	const featured = [...new Set(keyed)]
		.map((key) => deal.sources.find((source) => source.key === key))
		.filter((source): source is Deal['sources'][number] => source !== undefined)
		.slice(0, 3);
	const links = featured.map(
		(source) => `[${clip(sourceLabel(source, publishers), 80).replace(/[[\]]/g, '')}](${source.url})`,
	);
	fields.push({
		name: 'Sources',
		value: `${links.join('\n')}${deal.sources.length > 3 ? `\n…and ${deal.sources.length - 3} more (see Sources)` : ''}`,
	});
	return {
		...baseEmbed(deal, 'summary'),
		description: `${deal.summary.text}${citation(deal, deal.summary.sources)}`,
		fields,
		footer: {
			text: `${dateSpan(deal)} · ${deal.commitments.some((item) => item.note) ? '* see the note in Commitments · ' : ''}${FOOTER}`,
		},
	};
}

/** A titled block of lines; pages are made by packing blocks without ever splitting a line. */
interface Block {
	readonly heading: string;
	readonly lines: readonly string[];
	/** Shown side by side with the next inline block where Discord has room (the two camps). */
	readonly inline?: boolean;
}

function commitmentBlocks(deal: Deal): Block[] {
	return commitmentsByStance(deal).map((group) => ({
		heading: group.heading,
		lines: group.items.map((item) => {
			const keys = [...item.sources, ...(item.shares ?? []).flatMap((share) => share.sources)];
			return `**${commitmentBullet(item)}** — ${item.text}${item.note ? ` *(${item.note})*` : ''}${citation(deal, keys)}`;
		}),
	}));
}

/** One row of a deal's timeline: its date (for ordering) and the line shown. */
export interface TimelineRow {
	readonly date: string;
	readonly kind: 'start' | 'event' | 'end';
	readonly line: string;
}

/** The deal's start, its events and its end in date order (the end sits where it happened, not always last). */
export function timelineRows(deal: Deal): TimelineRow[] {
	const rank = { start: 0, event: 1, end: 2 } as const;
	const rows: TimelineRow[] = [
		{
			date: deal.date.start,
			kind: 'start',
			line: `**${formatShortDate(deal.date.start)}** — ${deal.name}: ${deal.date.label}${citation(deal, deal.date.sources)}`,
		},
		...deal.events.map((event) => ({
			date: event.date,
			kind: 'event' as const,
			line: `**${event.dateLabel ?? formatShortDate(event.date)}** — ${event.text}${event.singleSource ? ' *(single source)*' : ''}${citation(deal, event.sources)}`,
		})),
	];
	if (deal.ending.date) {
		rows.push({
			date: deal.ending.date,
			kind: 'end',
			line: `**End, ${formatShortDate(deal.ending.date)}** — ${deal.ending.text}${citation(deal, deal.ending.sources)}`,
		});
	}
	// Array.prototype.sort is stable: rows of one date keep the data's order, the start first and the end last.
	return rows.sort((a, b) => a.date.localeCompare(b.date) || rank[a.kind] - rank[b.kind]);
}

function timelineBlocks(deal: Deal): Block[] {
	const lines = timelineRows(deal).map((row) => row.line);
	if (!deal.ending.date) lines.push(`**End** — ${deal.ending.text}${citation(deal, deal.ending.sources)}`);
	lines.push(`**Lifespan** — ${deal.duration.text}`);
	return [{ heading: 'What actually happened', lines }];
}

function lessonBlocks(deal: Deal): Block[] {
	const cite = (keys: readonly string[]) => citation(deal, keys);
	const year = Number(yearOf(deal.date.start));
	return [
		{
			heading: 'Lessons, as drawn by those named',
			lines: deal.lessons.map((lesson) => `> ${lesson.text}\n— ${lesson.attribution}${cite(lesson.sources)}`),
		},
		...campOrder(year).map((camp) => ({
			heading: CAMP_HEADINGS[camp],
			lines: caseLines(deal.cases, camp, cite),
			inline: true,
		})),
		{ heading: 'How both cases are shown', lines: [campOrderNote(year)] },
	];
}

/** "U.S. Department of State: Agreed Framework (text)": a source named by its publisher, as a reader checks it. */
export function sourceLabel(source: SourceEntry, publishers: PublisherRegistry): string {
	const publisher = publishers.byId.get(source.publisher)?.name;
	return publisher ? `${publisher}: ${source.title}` : source.title;
}

function sourceBlocks(deal: Deal, publishers: PublisherRegistry): Block[] {
	return [
		{
			heading: 'Numbered as cited in the other views',
			lines: deal.sources.map((source, index) => {
				const kind = publishers.byId.get(source.publisher)?.kind;
				const label = sourceLabel(source, publishers).replace(/[[\]]/g, '');
				return `**${index + 1}.** [${label}](${source.url})${kind ? ` *(${kind})*` : ''} — ${source.supports}`;
			}),
		},
	];
}

/** Packs blocks into pages of embeds within Discord's limits; a block that spills over continues on the next page. */
export function paginate(deal: Deal, view: Exclude<DealView, 'summary'>, blocks: readonly Block[]): APIEmbed[] {
	const pages: APIEmbed[] = [];
	let fields: APIEmbedField[] = [];
	let used = 0;
	const flush = () => {
		if (fields.length === 0) return;
		pages.push({ ...baseEmbed(deal, view), fields });
		fields = [];
		used = 0;
	};
	for (const block of blocks) {
		let chunk: string[] = [];
		let chunkLength = 0;
		let continued = false;
		const emit = () => {
			if (chunk.length === 0) return;
			const value = chunk.join('\n');
			if (used + block.heading.length + value.length > PAGE_BUDGET || fields.length >= 25) flush();
			// Within a page a continuation needs no heading of its own (Discord requires a non-empty name).
			const name = !continued ? block.heading : fields.length === 0 ? `${block.heading} (continued)` : '\u200b';
			fields.push(block.inline ? { name, value, inline: true } : { name, value });
			used += name.length + value.length;
			chunk = [];
			chunkLength = 0;
			continued = true;
		};
		for (const rawLine of block.lines) {
			// A single line longer than a field is split at a word boundary and marked, never cut silently.
			const pieces = rawLine.length <= FIELD_MAX ? [rawLine] : splitLongLine(rawLine, FIELD_MAX - 10);
			for (const line of pieces) {
				if (chunkLength + line.length + 1 > FIELD_MAX) emit();
				chunk.push(line);
				chunkLength += line.length + 1;
			}
		}
		emit();
	}
	flush();
	return pages.length > 0 ? pages : [{ ...baseEmbed(deal, view), description: 'Nothing recorded for this view.' }];
}

function splitLongLine(line: string, max: number): string[] {
	const pieces: string[] = [];
	let rest = line;
	while (rest.length > max) {
		const cut = rest.lastIndexOf(' ', max - 2);
		const at = cut > max / 2 ? cut : max - 2;
		pieces.push(`${rest.slice(0, at)} …`);
		rest = `… ${rest.slice(at).trimStart()}`;
	}
	pieces.push(rest);
	return pieces;
}

export function dealPages(deal: Deal, publishers: PublisherRegistry, view: DealView): APIEmbed[] {
	switch (view) {
		case 'summary':
			return [summaryEmbed(deal, publishers)];
		case 'commitments':
			return paginate(deal, view, commitmentBlocks(deal));
		case 'timeline':
			return paginate(deal, view, timelineBlocks(deal));
		case 'lessons':
			return paginate(deal, view, lessonBlocks(deal));
		case 'sources':
			return paginate(deal, view, sourceBlocks(deal, publishers));
	}
}

/**
 * "Read the primary text" opens the text itself; where talks produced no text, one button per side's own statement
 * ("U.S. statement", "North Korea's statement").
 */
function primaryButtons(deal: Deal): APIButtonComponent[] {
	const url = (key: string) => deal.sources.find((source) => source.key === key)?.url;
	if (deal.primary.kind === 'text') {
		const link = url(deal.primary.source);
		return link
			? [{ type: ComponentType.Button, style: ButtonStyle.Link, label: 'Read the primary text', url: link }]
			: [];
	}
	return deal.primary.statements.flatMap((statement) => {
		const link = url(statement.source);
		const label = statement.party === 'US' ? 'U.S. statement' : `${partyName(statement.party)}’s statement`;
		return link ? [{ type: ComponentType.Button as const, style: ButtonStyle.Link as const, label, url: link }] : [];
	});
}

/** One view of one deal, page `page` (0-based), with the view switcher, paging and the primary-text link. */
export function renderDeal(
	deal: Deal,
	publishers: PublisherRegistry,
	view: DealView = 'summary',
	page = 0,
): DealMessage {
	const pages = dealPages(deal, publishers, view);
	const index = Math.min(Math.max(page, 0), pages.length - 1);
	const embed = pages[index] ?? pages[0];
	if (!embed) throw new RangeError(`deal ${deal.id} has no ${view} page`);
	if (pages.length > 1) embed.footer = { text: `Page ${index + 1} of ${pages.length} · ${FOOTER}` };
	else if (view !== 'summary') embed.footer = { text: FOOTER };

	const viewRow: APIActionRowComponent<APIButtonComponent> = {
		type: ComponentType.ActionRow,
		components: DEAL_VIEWS.map((candidate) => ({
			type: ComponentType.Button,
			style: candidate === view ? ButtonStyle.Primary : ButtonStyle.Secondary,
			label: VIEW_LABELS[candidate],
			custom_id: encodeCustomId('deal', 'view', deal.id, candidate, '0'),
			disabled: candidate === view && pages.length === 1,
		})),
	};
	const navigation: APIButtonComponent[] = [];
	if (pages.length > 1) {
		navigation.push(
			{
				type: ComponentType.Button,
				style: ButtonStyle.Secondary,
				label: '◀ Previous page',
				custom_id: encodeCustomId('deal', 'page', deal.id, view, String(index - 1)),
				disabled: index === 0,
			},
			{
				type: ComponentType.Button,
				style: ButtonStyle.Secondary,
				label: 'Next page ▶',
				custom_id: encodeCustomId('deal', 'page', deal.id, view, String(index + 1)),
				disabled: index === pages.length - 1,
			},
		);
	}
	navigation.push(...primaryButtons(deal));
	return {
		embeds: [embed],
		components: [viewRow, { type: ComponentType.ActionRow, components: navigation }],
		allowedMentions: { parse: [] },
	};
}
