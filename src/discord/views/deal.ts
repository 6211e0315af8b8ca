import {
	type APIActionRowComponent,
	type APIButtonComponent,
	type APIEmbed,
	type APIEmbedField,
	ButtonStyle,
	ComponentType,
} from 'discord-api-types/v10';
import type { Deal, DealStatus } from '../../data/deal-schema.js';
import { encodeCustomId } from '../custom-id.js';
import { clip, formatDate, formatShortDate, partyName, yearOf } from '../format.js';

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

/** The commitments grouped by party, in the order the deal lists its parties. */
function commitmentsByParty(deal: Deal): { party: string; items: Deal['commitments'] }[] {
	return deal.parties
		.map((party) => ({ party, items: deal.commitments.filter((commitment) => commitment.party === party) }))
		.filter((group) => group.items.length > 0);
}

function baseEmbed(deal: Deal, view: DealView): APIEmbed {
	return {
		title: `${deal.name} (${yearOf(deal.date.start)})${view === 'summary' ? '' : ` — ${VIEW_LABELS[view]}`}`,
		url: deal.primaryText.url,
		color: STATUS_COLOURS[deal.status],
	};
}

const FOOTER = 'Facts carry numbered sources (see Sources); interpretations are attributed to who holds them.';

function summaryEmbed(deal: Deal): APIEmbed {
	const fields: APIEmbedField[] = [
		{ name: 'When', value: deal.date.label, inline: false },
		{ name: 'Where', value: deal.place.text, inline: false },
		{ name: 'Parties', value: deal.parties.map(partyName).join(', '), inline: false },
	];
	for (const group of commitmentsByParty(deal).slice(0, 4)) {
		const limit = group.items.length <= 5 ? 5 : 4;
		const shown = group.items.slice(0, limit).map((item) => `• ${item.short}${item.note ? ' *' : ''}`);
		if (group.items.length > shown.length)
			shown.push(`• …and ${group.items.length - shown.length} more (see Commitments)`);
		const verb = deal.status === 'no-agreement' ? 'put on the table' : 'committed to';
		fields.push({ name: `${partyName(group.party)} ${verb}`, value: clip(shown.join('\n'), FIELD_MAX), inline: false });
	}
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
	const links = featured.map((source) => `[${clip(source.title, 70).replace(/[[\]]/g, '')}](${source.url})`);
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
}

function commitmentBlocks(deal: Deal): Block[] {
	return commitmentsByParty(deal).map((group) => ({
		heading: `${partyName(group.party)}${deal.status === 'no-agreement' ? ' — offered or asked, not agreed' : ''}`,
		lines: group.items.map(
			(item) =>
				`**${item.short}** — ${item.text}${item.note ? ` *(${item.note})*` : ''}${citation(deal, item.sources)}`,
		),
	}));
}

function timelineBlocks(deal: Deal): Block[] {
	const lines = [
		`**${formatShortDate(deal.date.start)}** — ${deal.name}: ${deal.date.label}${citation(deal, deal.date.sources)}`,
		...deal.events.map(
			(event) =>
				`**${event.dateLabel ?? formatShortDate(event.date)}** — ${event.text}${citation(deal, event.sources)}`,
		),
		`**End${deal.ending.date ? `, ${formatShortDate(deal.ending.date)}` : ''}** — ${deal.ending.text}${citation(deal, deal.ending.sources)}`,
		`**Lifespan** — ${deal.duration.text}`,
	];
	return [{ heading: 'What actually happened', lines }];
}

function lessonBlocks(deal: Deal): Block[] {
	const blocks: Block[] = [
		{
			heading: 'Lessons, as drawn by those named',
			lines: deal.lessons.map((lesson) => `> ${lesson.text}\n— ${lesson.attribution}${citation(deal, lesson.sources)}`),
		},
	];
	for (const camp of ['pressure', 'compromise'] as const) {
		const readings = deal.readings.filter((reading) => reading.camp === camp);
		if (readings.length === 0) continue;
		blocks.push({
			heading: camp === 'pressure' ? 'How the pressure camp reads it' : 'How the compromise camp reads it',
			lines: readings.map((reading) => `${reading.text} — ${reading.attribution}${citation(deal, reading.sources)}`),
		});
	}
	if (deal.readings.length > 0) {
		blocks.push({
			heading: 'Note',
			lines: ['Parley reports both readings as their holders state them; it does not endorse either.'],
		});
	}
	return blocks;
}

function sourceBlocks(deal: Deal): Block[] {
	return [
		{
			heading: 'Numbered as cited in the other views',
			lines: deal.sources.map(
				(source, index) =>
					`**${index + 1}.** [${source.title.replace(/[[\]]/g, '')}](${source.url}) — ${source.supports}`,
			),
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
			fields.push({ name, value });
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

export function dealPages(deal: Deal, view: DealView): APIEmbed[] {
	switch (view) {
		case 'summary':
			return [summaryEmbed(deal)];
		case 'commitments':
			return paginate(deal, view, commitmentBlocks(deal));
		case 'timeline':
			return paginate(deal, view, timelineBlocks(deal));
		case 'lessons':
			return paginate(deal, view, lessonBlocks(deal));
		case 'sources':
			return paginate(deal, view, sourceBlocks(deal));
	}
}

/** One view of one deal, page `page` (0-based), with the view switcher, paging and the primary-text link. */
export function renderDeal(deal: Deal, view: DealView = 'summary', page = 0): DealMessage {
	const pages = dealPages(deal, view);
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
	navigation.push({
		type: ComponentType.Button,
		style: ButtonStyle.Link,
		label: 'Read the primary text',
		url: deal.primaryText.url,
	});
	return {
		embeds: [embed],
		components: [viewRow, { type: ComponentType.ActionRow, components: navigation }],
		allowedMentions: { parse: [] },
	};
}
