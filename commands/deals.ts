import { AttachmentBuilder, SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import type { BotContext } from '../src/context.js';
import { DEAL_STATUSES, type Deal, type DealStatus, PARTIES, type Party } from '../src/data/deal-schema.js';
import type { Command } from '../src/discord/command.js';
import { partyName } from '../src/discord/format.js';
import { STATUS_LABELS } from '../src/discord/views/deal.js';
import { UserFacingError } from '../src/errors.js';

const TIMELINE_FILE = 'deals-timeline.png';

/**
 * Rendering takes ~100 ms (in the chart pool, off the event loop) and the content never changes while the bot runs,
 * so each filter's image is kept. The promise is kept, so members asking at the same moment share one drawing.
 */
const timelineCache = new Map<string, Promise<Buffer>>();
const TIMELINE_CACHE_LIMIT = 64;

function timelineFor(
	charts: BotContext['charts'],
	deals: readonly Deal[],
	title: string,
	beforeRendering: () => void,
): { png: Promise<Buffer>; cached: boolean } {
	const key = `${title}|${deals.map((deal) => deal.id).join(',')}`;
	const cached = timelineCache.get(key);
	if (cached) return { png: cached, cached: true };
	beforeRendering();
	const png = charts.timeline(
		deals.map((deal) => ({
			id: deal.id,
			name: deal.name,
			start: deal.date.start,
			end: deal.date.end,
			status: deal.status,
			outcome: deal.outcome,
		})),
		{ title },
	);
	if (timelineCache.size >= TIMELINE_CACHE_LIMIT) {
		const oldest = timelineCache.keys().next();
		if (!oldest.done) timelineCache.delete(oldest.value);
	}
	timelineCache.set(key, png);
	// A failed drawing is not kept: the next request tries again.
	png.catch(() => {
		if (timelineCache.get(key) === png) timelineCache.delete(key);
	});
	return { png, cached: false };
}

const Year = z.number().int().min(1900).max(2100);

/** How each outcome filter reads after "Deals": "Deals that collapsed", "Deals partly implemented". */
const OUTCOME_PHRASES: Record<DealStatus, string> = {
	collapsed: 'that collapsed',
	superseded: 'later superseded',
	'no-agreement': 'that ended without agreement',
	'partly-implemented': 'partly implemented',
	'never-implemented': 'never implemented',
	lapsed: 'that lapsed',
};

/**
 * The list's title, reading right for every filter: "Nuclear and peace deals on the Korean Peninsula, 1992–2019",
 * "Deals with South Korea, 2018–2019", "Deals that collapsed, 1994–2007", "Deals with China partly implemented, 2007".
 * The years are those of the deals listed, said once.
 */
export function dealsTitle(selected: readonly Deal[], party?: Party, outcome?: DealStatus): string {
	const first = selected[0]?.date.start.slice(0, 4) ?? '';
	const last = selected.at(-1)?.date.start.slice(0, 4) ?? '';
	const years = first === last ? first : `${first}–${last}`;
	if (!party && !outcome) return `Nuclear and peace deals on the Korean Peninsula, ${years}`;
	const parts = ['Deals', party ? `with ${partyName(party)}` : '', outcome ? OUTCOME_PHRASES[outcome] : ''];
	return `${parts.filter(Boolean).join(' ')}, ${years}`;
}

export const deals = {
	data: new SlashCommandBuilder()
		.setName('deals')
		.setDescription('Every past deal in order, one line each, with a timeline picture')
		.addStringOption((option) =>
			option
				.setName('party')
				.setDescription('Only deals this party was part of')
				.addChoices(...PARTIES.map((party) => ({ name: partyName(party), value: party }))),
		)
		.addIntegerOption((option) =>
			option.setName('from').setDescription('From this year (e.g. 2005)').setMinValue(1900).setMaxValue(2100),
		)
		.addIntegerOption((option) =>
			option.setName('to').setDescription('Up to this year (e.g. 2012)').setMinValue(1900).setMaxValue(2100),
		)
		.addStringOption((option) =>
			option
				.setName('outcome')
				.setDescription('Only deals that ended this way')
				.addChoices(...DEAL_STATUSES.map((status) => ({ name: STATUS_LABELS[status], value: status }))),
		),
	help: {
		summary: 'The timeline of all deals, one line each with how it ended; filter by party, years or outcome.',
		examples: ['/deals', '/deals party:South Korea from:2018'],
	},

	async execute(interaction, ctx) {
		const party = z
			.enum(PARTIES)
			.optional()
			.catch(undefined)
			.parse(interaction.options.getString('party') ?? undefined);
		const outcome = z
			.enum(DEAL_STATUSES)
			.optional()
			.catch(undefined)
			.parse(interaction.options.getString('outcome') ?? undefined);
		const from = Year.optional()
			.catch(undefined)
			.parse(interaction.options.getInteger('from') ?? undefined);
		const to = Year.optional()
			.catch(undefined)
			.parse(interaction.options.getInteger('to') ?? undefined);
		if (from !== undefined && to !== undefined && from > to) {
			throw new UserFacingError(
				`“from” (${from}) is after “to” (${to}). Swap them, e.g. /deals from:${to} to:${from}.`,
			);
		}
		const selected = ctx.library.deals.filter((deal) => {
			const year = Number(deal.date.start.slice(0, 4));
			return (
				(party === undefined || deal.parties.includes(party)) &&
				(outcome === undefined || deal.status === outcome) &&
				(from === undefined || year >= from) &&
				(to === undefined || year <= to)
			);
		});
		if (selected.length === 0) {
			const wanted = [
				party ? `with ${partyName(party)}` : '',
				outcome ? OUTCOME_PHRASES[outcome] : '',
				from !== undefined || to !== undefined ? `in ${from ?? 'any year'}–${to ?? 'now'}` : '',
			].filter(Boolean);
			throw new UserFacingError(
				`No deals ${wanted.join(', ')}. Try /deals with fewer filters; Parley covers ${ctx.library.deals.length} deals from ${ctx.library.deals[0]?.date.start.slice(0, 4) ?? ''} to ${ctx.library.deals.at(-1)?.date.start.slice(0, 4) ?? ''}.`,
			);
		}
		const title = dealsTitle(selected, party, outcome);
		const lines = selected.map(
			(deal) => `\`${deal.date.start.slice(0, 4)}\` **${deal.name}** — ${STATUS_LABELS[deal.status]}: ${deal.outcome}`,
		);
		// Only a new picture costs anything; cached ones are free for everyone.
		const timeline = timelineFor(ctx.charts, selected, title, () => ctx.limits.charts.take(interaction.user.id));
		// A new picture waits for the chart pool (a second or two when its thread has to start): acknowledge first.
		if (!timeline.cached) await interaction.deferReply();
		const png = await timeline.png;
		const message = {
			embeds: [
				{
					title,
					description: lines.join('\n'),
					image: { url: `attachment://${TIMELINE_FILE}` },
					footer: {
						text: `${selected.length} deal${selected.length === 1 ? '' : 's'} · open one with /deal <name>, e.g. /deal leapday`,
					},
					color: 0x3b82f6,
				},
			],
			files: [new AttachmentBuilder(png, { name: TIMELINE_FILE, description: `Timeline of ${selected.length} deals` })],
			allowedMentions: { parse: [] },
		};
		if (interaction.deferred) await interaction.editReply(message);
		else await interaction.reply(message);
	},
} satisfies Command;
