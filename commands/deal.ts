import { type ButtonInteraction, MessageFlags, SlashCommandBuilder } from 'discord.js';
import {
	type APIActionRowComponent,
	type APIButtonComponent,
	type APIStringSelectComponent,
	ButtonStyle,
	ComponentType,
} from 'discord-api-types/v10';
import { z } from 'zod';
import type { Deal } from '../src/data/deal-schema.js';
import type { Command } from '../src/discord/command.js';
import { encodeCustomId } from '../src/discord/custom-id.js';
import { clip, formatShortDate, quoteUserText } from '../src/discord/format.js';
import { DEAL_VIEWS, type DealMessage, renderDeal, STATUS_LABELS } from '../src/discord/views/deal.js';
import { findDeal, suggestDeals } from '../src/domain/deal-lookup.js';
import { UserFacingError } from '../src/errors.js';
import type { Library } from '../src/library.js';

const ViewArgs = z.tuple([z.string(), z.enum(DEAL_VIEWS), z.coerce.number().int().min(0).max(50)]);
const ShowArgs = z.tuple([z.string()]);

function dealOrRefuse(library: Library, id: string): Deal {
	const deal = library.dealById.get(id);
	if (!deal)
		throw new UserFacingError('Parley no longer has that deal in its records. Try /deals for the current list.');
	return deal;
}

/** On a private copy the view changes in place; on a shared card the clicker gets a private copy. */
async function showOnButton(interaction: ButtonInteraction, message: DealMessage): Promise<void> {
	if (interaction.message.flags.has(MessageFlags.Ephemeral)) await interaction.update({ content: '', ...message });
	else await interaction.reply({ ...message, flags: MessageFlags.Ephemeral });
}

function describeDeal(deal: Deal): string {
	return clip(`${formatShortDate(deal.date.start)} · ${STATUS_LABELS[deal.status]} · ${deal.outcome}`, 100);
}

export const deal = {
	data: new SlashCommandBuilder()
		.setName('deal')
		.setDescription('A sourced briefing on a past U.S.–North Korea deal')
		.addStringOption((option) =>
			option
				.setName('name')
				.setDescription('Deal name, alias, year or date: leapday, agreed framework, 2018, feb 29…')
				.setRequired(true)
				.setMaxLength(100)
				.setAutocomplete(true),
		)
		.addStringOption((option) =>
			option
				.setName('view')
				.setDescription('What to show first (default: summary)')
				.addChoices(...DEAL_VIEWS.map((view) => ({ name: view, value: view }))),
		),
	help: {
		summary: 'A sourced briefing on a past deal: what each side gave, what happened, how it ended, lessons, sources.',
		examples: ['/deal leapday', '/deal agreed framework view:timeline'],
	},

	async execute(interaction, ctx) {
		const query = interaction.options.getString('name', true);
		const view = z
			.enum(DEAL_VIEWS)
			.catch('summary')
			.parse(interaction.options.getString('view') ?? 'summary');
		const { library } = ctx;
		const result = findDeal(library.dealIndex, query);
		if (result.kind === 'found') {
			await interaction.reply(renderDeal(dealOrRefuse(library, result.id), library.publishers, view));
			return;
		}
		if (result.kind !== 'none') {
			const candidates = result.candidates
				.map((id) => library.dealById.get(id))
				.filter((item): item is Deal => item !== undefined);
			const intro =
				result.kind === 'topic'
					? `${candidates.length === 1 ? 'One deal involves' : `${candidates.length} deals involve`} “${quoteUserText(result.topic)}”. Pick one:`
					: result.kind === 'too-short'
						? `“${quoteUserText(query)}” is too short to name a deal: type at least three letters, or pick one:`
						: `“${quoteUserText(query)}” matches ${candidates.length} deals. Pick one:`;
			if (candidates.length === 0) {
				throw new UserFacingError(
					`“${quoteUserText(query)}” is too short to name a deal: type at least three letters, e.g. /deal leapday. See every deal with /deals.`,
				);
			}
			const menu: APIActionRowComponent<APIStringSelectComponent> = {
				type: ComponentType.ActionRow,
				components: [
					{
						type: ComponentType.StringSelect,
						custom_id: encodeCustomId('deal', 'pick'),
						placeholder: 'Pick a deal',
						options: candidates.slice(0, 25).map((candidate) => ({
							label: clip(`${candidate.name} (${candidate.date.start.slice(0, 4)})`, 100),
							value: candidate.id,
							description: describeDeal(candidate),
						})),
					},
				],
			};
			const list = candidates
				.map((candidate) => `• **${candidate.name}** — ${formatShortDate(candidate.date.start)}`)
				.join('\n');
			await interaction.reply({
				content: clip(`${intro}\n${list}`, 2000),
				components: [menu],
				flags: MessageFlags.Ephemeral,
				allowedMentions: { parse: [] },
			});
			return;
		}
		const suggestions = result.suggestions
			.map((id) => library.dealById.get(id))
			.filter((item): item is Deal => item !== undefined);
		const closest = suggestions
			.map((candidate) => `**${candidate.name}** (${candidate.date.start.slice(0, 4)})`)
			.join(', ');
		const buttons: APIActionRowComponent<APIButtonComponent>[] =
			suggestions.length > 0
				? [
						{
							type: ComponentType.ActionRow,
							components: suggestions.slice(0, 5).map((candidate) => ({
								type: ComponentType.Button,
								style: ButtonStyle.Secondary,
								label: clip(candidate.name, 80),
								custom_id: encodeCustomId('deal', 'show', candidate.id),
							})),
						},
					]
				: [];
		await interaction.reply({
			content: `No deal matches “${quoteUserText(query)}”.${closest ? ` Closest: ${closest}.` : ''} See every deal with /deals.`,
			components: buttons,
			flags: MessageFlags.Ephemeral,
			allowedMentions: { parse: [] },
		});
	},

	async autocomplete(interaction, ctx) {
		const focused = interaction.options.getFocused(true);
		if (focused.name !== 'name') {
			await interaction.respond([]);
			return;
		}
		const choices = suggestDeals(ctx.library.dealIndex, focused.value).flatMap((suggestion) => {
			const found = ctx.library.dealById.get(suggestion.id);
			return found
				? [{ name: clip(`${found.name} — ${formatShortDate(found.date.start)}`, 100), value: found.id }]
				: [];
		});
		await interaction.respond(choices);
	},

	async button(interaction, id, ctx) {
		if (id.action === 'view' || id.action === 'page') {
			const args = ViewArgs.safeParse(id.args);
			if (!args.success) throw new UserFacingError('This button is from an older version of Parley. Run /deal again.');
			const [dealId, view, page] = args.data;
			await showOnButton(
				interaction,
				renderDeal(dealOrRefuse(ctx.library, dealId), ctx.library.publishers, view, page),
			);
			return;
		}
		if (id.action === 'show') {
			const args = ShowArgs.safeParse(id.args);
			if (!args.success) throw new UserFacingError('This button is from an older version of Parley. Run /deal again.');
			await showOnButton(interaction, renderDeal(dealOrRefuse(ctx.library, args.data[0]), ctx.library.publishers));
			return;
		}
		throw new UserFacingError('This button is from an older version of Parley. Run /deal again.');
	},

	async select(interaction, id, ctx) {
		const picked = interaction.values[0];
		if (id.action !== 'pick' || !picked)
			throw new UserFacingError('This menu is from an older version of Parley. Run /deal again.');
		await interaction.update({ content: '', ...renderDeal(dealOrRefuse(ctx.library, picked), ctx.library.publishers) });
	},
} satisfies Command;
