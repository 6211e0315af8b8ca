import { MessageFlags, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { BotContext } from '../src/context.js';
import { WEIGHT_MAX, WEIGHT_MIN } from '../src/data/concession-schema.js';
import type { Command } from '../src/discord/command.js';
import { clip, quoteUserText } from '../src/discord/format.js';
import { requireGuild, requireModerator } from '../src/discord/permissions.js';
import { decide, rank } from '../src/domain/fuzzy.js';
import { effectiveWeights, validateWeightOverride } from '../src/domain/weights.js';
import { UserFacingError } from '../src/errors.js';

/** Finds a concession on either side by id, name, alias or a near miss. */
function resolveConcession(ctx: BotContext, text: string) {
	const concessions = ctx.library.catalog.concessions;
	const ranked = rank(ctx.library.anyConcessionIndex, text, 10);
	const decision = decide(ranked);
	const id = concessions.some((item) => item.id === text) ? text : decision.kind === 'clear' ? decision.match.id : null;
	const found = concessions.find((item) => item.id === id);
	if (found) return found;
	const closest = ranked
		.slice(0, 3)
		.map((match) => concessions.find((item) => item.id === match.id)?.name)
		.filter(Boolean);
	throw new UserFacingError(
		`No concession matches “${quoteUserText(text, 40)}”.${closest.length > 0 ? ` Closest: ${closest.join(', ')}.` : ''}`,
	);
}

export const weights = {
	data: new SlashCommandBuilder()
		.setName('weights')
		.setDescription('Moderators: this server’s own weights for the /balance model')
		.setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
		.setDMPermission(false)
		.addSubcommand((sub) =>
			sub
				.setName('set')
				.setDescription('Change how much a concession costs its giver and is worth to its receiver (0–10)')
				.addStringOption((option) =>
					option
						.setName('concession')
						.setDescription('Which concession')
						.setRequired(true)
						.setAutocomplete(true)
						.setMaxLength(100),
				)
				.addIntegerOption((option) =>
					option.setName('cost').setDescription(`Cost to the side that gives it, ${WEIGHT_MIN}–${WEIGHT_MAX}`),
				)
				.addIntegerOption((option) =>
					option.setName('value').setDescription(`Worth to the side that receives it, ${WEIGHT_MIN}–${WEIGHT_MAX}`),
				),
		)
		.addSubcommand((sub) =>
			sub
				.setName('reset')
				.setDescription('Go back to Parley’s default weights (one concession, or all)')
				.addStringOption((option) =>
					option
						.setName('concession')
						.setDescription('Which concession (leave empty for all)')
						.setAutocomplete(true)
						.setMaxLength(100),
				),
		)
		.addSubcommand((sub) =>
			sub.setName('show').setDescription('List this server’s changed weights (read-only: anyone who can use /weights)'),
		),
	help: {
		summary:
			'Moderators set this server’s own valuation of a concession for /balance, or reset to defaults; `/weights show` lists them.',
		examples: ['/weights set concession:food aid value:6', '/weights reset', '/weights show'],
		audience: 'moderators change; show is read-only',
	},

	async execute(interaction, ctx) {
		const guildId = requireGuild(interaction, 'Server weights');
		const subcommand = interaction.options.getSubcommand();
		const catalog = ctx.library.catalog.concessions;
		// Showing is read-only and open to whoever the server lets use /weights (Discord hides the command from all but
		// Manage Server by default): the weights shape every /balance answer members see, so they are no secret.
		// Changing them needs Manage Server, checked below whatever the server's command settings say.
		if (subcommand === 'show') {
			const current = await ctx.stores.weights.get(guildId);
			const changed = effectiveWeights(catalog, current).filter((item) => item.overridden);
			const lines = changed.map((item) => {
				const base = catalog.find((entry) => entry.id === item.id);
				return `• **${item.name}**: cost ${item.costToGiver} (default ${base?.costToGiver}), value ${item.valueToReceiver} (default ${base?.valueToReceiver})`;
			});
			await interaction.reply({
				content:
					lines.length > 0
						? clip(`This server’s weights for /balance:\n${lines.join('\n')}`, 2000)
						: 'This server uses Parley’s default weights for every concession.',
				flags: MessageFlags.Ephemeral,
				allowedMentions: { parse: [] },
			});
			return;
		}
		requireModerator(interaction, 'change this server’s weights');
		// Replies name the moderator with a mention, not the username: "__init__" would render as an underlined "init".
		// allowedMentions stops the mention from pinging.
		const text = interaction.options.getString('concession');
		if (subcommand === 'reset') {
			if (!text) {
				await ctx.stores.weights.resetAll(guildId);
				await interaction.reply({
					content: `<@${interaction.user.id}> reset every /balance weight to Parley’s defaults.`,
					allowedMentions: { parse: [] },
				});
				return;
			}
			const concession = resolveConcession(ctx, text);
			if (!concession) throw new UserFacingError('No such concession.');
			await ctx.stores.weights.resetOne(guildId, concession.id, interaction.user.id, ctx.clock.now());
			await interaction.reply({
				content: `<@${interaction.user.id}> reset **${concession.name}** to Parley’s default weights (cost ${concession.costToGiver}, value ${concession.valueToReceiver}).`,
				allowedMentions: { parse: [] },
			});
			return;
		}
		if (!text) throw new UserFacingError('Name the concession to change.');
		const concession = resolveConcession(ctx, text);
		if (!concession) throw new UserFacingError('No such concession.');
		const cost = interaction.options.getInteger('cost');
		const value = interaction.options.getInteger('value');
		if (cost === null && value === null) {
			throw new UserFacingError(
				`Give a new cost, a new value or both, each a whole number from ${WEIGHT_MIN} to ${WEIGHT_MAX}.`,
			);
		}
		const validation = validateWeightOverride(
			concession.id,
			{ ...(cost !== null ? { costToGiver: cost } : {}), ...(value !== null ? { valueToReceiver: value } : {}) },
			catalog,
		);
		if (!validation.ok) throw new UserFacingError(validation.message);
		// Only this concession's record changes, and only the fields given: a moderator changing another concession
		// (or the other weight of this one) at the same moment keeps their change.
		const override = await ctx.stores.weights.change(
			guildId,
			concession.id,
			validation.override,
			interaction.user.id,
			ctx.clock.now(),
		);
		const effective = effectiveWeights(catalog, { [concession.id]: override }).find(
			(item) => item.id === concession.id,
		);
		await interaction.reply({
			content: `<@${interaction.user.id}> set this server’s weights for **${concession.name}**: costs its giver ${effective?.costToGiver}, worth ${effective?.valueToReceiver} to its receiver (Parley’s defaults: ${concession.costToGiver} and ${concession.valueToReceiver}). /balance results here now say they use server weights.`,
			allowedMentions: { parse: [] },
		});
	},

	async autocomplete(interaction, ctx) {
		const typed = interaction.options.getFocused();
		const catalog = ctx.library.catalog.concessions;
		const matches = typed.trim()
			? rank(ctx.library.anyConcessionIndex, typed, 25, 0.3).map((match) => match.id)
			: catalog.map((item) => item.id);
		const choices = matches.slice(0, 25).flatMap((id) => {
			const item = catalog.find((entry) => entry.id === id);
			return item
				? [
						{
							name: clip(`${item.name} (${item.giver === 'us' ? 'U.S. gives' : 'North Korea gives'})`, 100),
							value: item.id,
						},
					]
				: [];
		});
		await interaction.respond(choices);
	},
} satisfies Command;
