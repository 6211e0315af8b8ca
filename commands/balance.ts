import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import type { BotContext } from '../src/context.js';
import type { Side } from '../src/data/concession-schema.js';
import { CONCESSION_IDS } from '../src/data/concession-schema.js';
import type { Command } from '../src/discord/command.js';
import { clip, formatShortDate, quoteUserText } from '../src/discord/format.js';
import { renderBalance, renderFairSplit, renderHowComputed } from '../src/discord/views/balance.js';
import { fairSplit } from '../src/domain/adjusted-winner.js';
import { applySuggestion, checkBalance } from '../src/domain/balance.js';
import { parseConcessionList, suggestConcessions } from '../src/domain/concession-list.js';
import { findDeal, suggestDeals } from '../src/domain/deal-lookup.js';
import { decodePackage, encodePackage, type PackageIds } from '../src/domain/package-code.js';
import { UserFacingError } from '../src/errors.js';
import { packageOf } from '../src/library.js';

const SIDE_NAMES: Record<Side, string> = { us: 'the United States', dprk: 'North Korea' };
const OPTION_FOR: Record<Side, string> = { us: 'us_gives', dprk: 'nk_gives' };

const STALE = 'This button is from an older version of Parley. Run /balance again.';

function nameOf(ctx: BotContext, id: string): string {
	return ctx.library.catalog.concessions.find((item) => item.id === id)?.name ?? id;
}

/** Parses one side's typed list; every problem becomes one line of a single clear refusal. */
function readSide(ctx: BotContext, text: string | null, side: Side, problems: string[], notes: string[]): string[] {
	if (!text) return [];
	const result = parseConcessionList(ctx.library.concessionIndex, text, side);
	const option = OPTION_FOR[side];
	for (const error of result.errors) problems.push(`${option}: ${error}`);
	for (const unknown of result.unknown) {
		const suggestions = unknown.suggestions.map((id) => nameOf(ctx, id));
		problems.push(
			`${option}: I don't know “${quoteUserText(unknown.input, 40)}”.${suggestions.length > 0 ? ` Closest: ${suggestions.join(', ')}.` : ''}`,
		);
	}
	for (const wrong of result.wrongSide) {
		const other: Side = side === 'us' ? 'dprk' : 'us';
		problems.push(
			`${option}: “${quoteUserText(wrong.input, 40)}” (${nameOf(ctx, wrong.id)}) is something ${SIDE_NAMES[other]} gives. Put it in ${OPTION_FOR[other]}.`,
		);
	}
	for (const ambiguous of result.ambiguous) {
		problems.push(
			`${option}: “${quoteUserText(ambiguous.input, 40)}” could be ${ambiguous.candidates.map((id) => nameOf(ctx, id)).join(' or ')}. Say which.`,
		);
	}
	for (const duplicate of result.duplicates)
		notes.push(`Listed more than once, counted once: ${nameOf(ctx, duplicate)}.`);
	for (const read of result.interpreted)
		notes.push(`Read “${quoteUserText(read.input, 40)}” as ${nameOf(ctx, read.id)}.`);
	return [...result.ids];
}

/** Discord refuses a message whose text is longer than this, and the member would then get no answer at all. */
const MESSAGE_MAX = 2000;

/**
 * One line per problem, as many whole lines as fit in one message; a long list (every item of a pasted package on
 * the wrong side, say) ends with how many more there are, so fixing the first ones reveals the rest.
 */
function unreadablePackage(problems: readonly string[]): string {
	const lines = problems.map((problem) => `• ${problem}`);
	for (let shown = lines.length; shown > 0; shown--) {
		const hidden = lines.length - shown;
		const text = [
			"I couldn't read that package:",
			...lines.slice(0, shown),
			...(hidden > 0
				? [`…and ${hidden} more problem${hidden === 1 ? '' : 's'}. Fix these first, then try again.`]
				: []),
		].join('\n');
		if (text.length <= MESSAGE_MAX) return text;
	}
	return clip(`I couldn't read that package:\n${lines.join('\n')}`, MESSAGE_MAX);
}

async function overridesFor(ctx: BotContext, guildId: string | null) {
	return guildId ? ctx.stores.weights.get(guildId) : {};
}

async function check(ctx: BotContext, guildId: string | null, pkg: PackageIds) {
	const overrides = await overridesFor(ctx, guildId);
	const result = checkBalance(pkg, ctx.library.catalog.concessions, { overrides, pastDeals: ctx.library.pastDeals });
	return { result, overrides };
}

function decodeOrRefuse(code: string | undefined): PackageIds {
	const pkg = code ? decodePackage(code, CONCESSION_IDS) : null;
	if (!pkg) throw new UserFacingError(STALE);
	return pkg;
}

export const balance = {
	data: new SlashCommandBuilder()
		.setName('balance')
		.setDescription('Check whether a package of concessions is balanced, by each side’s own valuation')
		.addStringOption((option) =>
			option
				.setName('us_gives')
				.setDescription('What the U.S. side gives, comma-separated: sanctions relief, food aid…')
				.setMaxLength(1000)
				.setAutocomplete(true),
		)
		.addStringOption((option) =>
			option
				.setName('nk_gives')
				.setDescription('What North Korea gives, comma-separated: dismantle yongbyon, test moratorium…')
				.setMaxLength(1000)
				.setAutocomplete(true),
		)
		.addStringOption((option) =>
			option
				.setName('deal')
				.setDescription('Start from a past deal’s package (e.g. leapday); items you type are added')
				.setMaxLength(100)
				.setAutocomplete(true),
		),
	help: {
		summary:
			'A transparent concession-balance check: both sides’ ledgers, a verdict, risks, the closest precedent and how to rebalance.',
		examples: ['/balance deal:leapday', '/balance us_gives:"sanctions relief" nk_gives:"dismantle yongbyon"'],
	},

	async execute(interaction, ctx) {
		const usText = interaction.options.getString('us_gives');
		const nkText = interaction.options.getString('nk_gives');
		const dealQuery = interaction.options.getString('deal');
		if (!usText && !nkText && !dealQuery) {
			throw new UserFacingError(
				'Tell me what each side gives, e.g. `/balance us_gives:food aid nk_gives:test moratorium`, or start from a past deal with `/balance deal:leapday`.',
			);
		}
		const problems: string[] = [];
		const notes: string[] = [];
		let title = 'Concession balance check';
		const pkg = { usGives: [] as string[], dprkGives: [] as string[] };
		if (dealQuery) {
			const found = findDeal(ctx.library.dealIndex, dealQuery);
			const deal = found.kind === 'found' ? ctx.library.dealById.get(found.id) : undefined;
			if (!deal) {
				const names = (found.kind === 'none' ? found.suggestions : found.kind === 'found' ? [] : found.candidates)
					.map((id) => ctx.library.dealById.get(id))
					.map((candidate) => (candidate ? `${candidate.name} (${candidate.date.start.slice(0, 4)})` : ''))
					.filter(Boolean);
				problems.push(
					`deal: ${found.kind === 'none' ? `no deal matches “${quoteUserText(dealQuery, 40)}”; closest:` : `“${quoteUserText(dealQuery, 40)}” could be`} ${names.join(', ')}.`,
				);
			} else {
				const preset = packageOf(deal, ctx.library.catalog);
				if (preset.usGives.length + preset.dprkGives.length === 0 && !usText && !nkText) {
					throw new UserFacingError(
						`The ${deal.name} (${deal.date.start.slice(0, 4)}) commits neither side to a concession in Parley’s catalog — its pledges are about relations and exchanges, not the nuclear trade /balance weighs. Read it with /deal ${deal.id}, or add items: /balance deal:${deal.id} us_gives:… nk_gives:…`,
					);
				}
				pkg.usGives.push(...preset.usGives);
				pkg.dprkGives.push(...preset.dprkGives);
				title = `Balance check — ${deal.name} (${formatShortDate(deal.date.start)})${usText || nkText ? ', with your changes' : ''}`;
				const offered =
					deal.status === 'no-agreement'
						? 'what each side offered or asked for (no deal was reached)'
						: 'the concessions its text commits each side to';
				notes.push(`Started from the ${deal.name}: ${offered}. Goals stated in the text count as if delivered.`);
				if (preset.leftOut.length > 0) {
					notes.push(
						`Left out as claimed by one side only or only reported: ${preset.leftOut.map((id) => nameOf(ctx, id)).join(', ')}.`,
					);
				}
			}
		}
		pkg.usGives.push(...readSide(ctx, usText, 'us', problems, notes));
		pkg.dprkGives.push(...readSide(ctx, nkText, 'dprk', problems, notes));
		if (problems.length > 0) throw new UserFacingError(unreadablePackage(problems));
		const unique = { usGives: [...new Set(pkg.usGives)], dprkGives: [...new Set(pkg.dprkGives)] };
		const { result } = await check(ctx, interaction.guildId, unique);
		await interaction.reply(renderBalance(result, { code: encodePackage(unique, CONCESSION_IDS), title, notes }));
	},

	async autocomplete(interaction, ctx) {
		const focused = interaction.options.getFocused(true);
		if (focused.name === 'deal') {
			const choices = suggestDeals(ctx.library.dealIndex, focused.value).flatMap((suggestion) => {
				const deal = ctx.library.dealById.get(suggestion.id);
				return deal ? [{ name: clip(`${deal.name} — ${formatShortDate(deal.date.start)}`, 100), value: deal.id }] : [];
			});
			await interaction.respond(choices);
			return;
		}
		const side: Side | null = focused.name === 'us_gives' ? 'us' : focused.name === 'nk_gives' ? 'dprk' : null;
		await interaction.respond(side ? suggestConcessions(ctx.library.concessionIndex, focused.value, side) : []);
	},

	async button(interaction, id, ctx) {
		const pkg = decodeOrRefuse(id.args[0]);
		const { result } = await check(ctx, interaction.guildId, pkg);
		const title = 'Concession balance check';
		if (id.action === 'apply') {
			if (result.suggestion.kind !== 'change') throw new UserFacingError(result.suggestion.sentence);
			const changed = applySuggestion(pkg, result.suggestion);
			const next = await check(ctx, interaction.guildId, changed);
			const note = `${result.suggestion.action === 'add' ? 'Added' : 'Removed'}: ${result.suggestion.name} (${SIDE_NAMES[result.suggestion.side]}).`;
			await interaction.reply({
				...renderBalance(next.result, {
					code: encodePackage(changed, CONCESSION_IDS),
					title: `${title}, rebalanced`,
					notes: [note],
				}),
				flags: MessageFlags.Ephemeral,
			});
			return;
		}
		if (id.action === 'split') {
			const overrides = await overridesFor(ctx, interaction.guildId);
			await interaction.reply({
				...renderFairSplit(fairSplit(pkg, ctx.library.catalog.concessions, { overrides }), 'this package'),
				flags: MessageFlags.Ephemeral,
			});
			return;
		}
		if (id.action === 'how') {
			await interaction.reply({ ...renderHowComputed(result, ctx.library.catalog), flags: MessageFlags.Ephemeral });
			return;
		}
		throw new UserFacingError(STALE);
	},
} satisfies Command;
