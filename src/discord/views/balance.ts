import {
	type APIActionRowComponent,
	type APIButtonComponent,
	type APIEmbed,
	ButtonStyle,
	ComponentType,
} from 'discord-api-types/v10';
import type { ConcessionCatalog, Side } from '../../data/concession-schema.js';
import type { fairSplit } from '../../domain/adjusted-winner.js';
import { formatMixed } from '../../domain/adjusted-winner.js';
import { BALANCE_BAND, type BalanceResult, type SideLedger } from '../../domain/balance.js';
import { encodeCustomId } from '../custom-id.js';
import { clip } from '../format.js';

const SIDE_TITLES: Record<Side, string> = { us: 'United States (and partners)', dprk: 'North Korea' };
const VERDICT_COLOURS: Record<BalanceResult['verdict']['kind'], number> = {
	balanced: 0x22c55e,
	thin: 0xeab308,
	tilted: 0xf97316,
	'one-sided': 0xef4444,
	empty: 0x94a3b8,
};

export interface BalanceMessage {
	readonly content?: string;
	readonly embeds: APIEmbed[];
	readonly components: APIActionRowComponent<APIButtonComponent>[];
	readonly allowedMentions: { parse: [] };
}

const signed = (value: number) => (value > 0 ? `+${value}` : value < 0 ? `−${-value}` : '0');

function ledgerText(ledger: SideLedger): string {
	const gives =
		ledger.gives.length > 0
			? ledger.gives.map((item) => `• ${item.name} — costs it ${item.cost}`).join('\n')
			: '• nothing';
	const gets =
		ledger.gets.length > 0
			? ledger.gets.map((item) => `• ${item.name} — worth ${item.value} to it`).join('\n')
			: '• nothing';
	return clip(
		`**Gives** (${ledger.given})\n${gives}\n**Gets** (${ledger.received})\n${gets}\n**Net by its own weights: ${signed(ledger.net)}**`,
		1024,
	);
}

function weightsFooter(result: { weightsSource: 'default' | 'server' }): string {
	const source =
		result.weightsSource === 'server' ? "this server's weights, set by its moderators" : "Parley's default weights";
	return `Using ${source} · The weights are a model, not a measurement: press “How this is computed”.`;
}

export function balanceButtons(code: string, canApply: boolean): APIActionRowComponent<APIButtonComponent> {
	return {
		type: ComponentType.ActionRow,
		components: [
			{
				type: ComponentType.Button,
				style: ButtonStyle.Primary,
				label: 'Apply suggestion',
				custom_id: encodeCustomId('balance', 'apply', code),
				disabled: !canApply,
			},
			{
				type: ComponentType.Button,
				style: ButtonStyle.Secondary,
				label: 'Fair split',
				custom_id: encodeCustomId('balance', 'split', code),
			},
			{
				type: ComponentType.Button,
				style: ButtonStyle.Secondary,
				label: 'How this is computed',
				custom_id: encodeCustomId('balance', 'how', code),
			},
		],
	};
}

/** The balance card: both ledgers, the verdict, the notes, the precedent, the suggestion and which weights were used. */
export function renderBalance(
	result: BalanceResult,
	options: { code: string; title: string; notes: readonly string[] },
): BalanceMessage {
	const fields = [
		{ name: SIDE_TITLES.us, value: ledgerText(result.us), inline: true },
		{ name: SIDE_TITLES.dprk, value: ledgerText(result.dprk), inline: true },
		{
			name: 'Reversibility',
			value: clip(`${result.reversibility.us.sentence} ${result.reversibility.dprk.sentence}`, 1024),
		},
		{ name: 'Who moves first', value: clip(result.risk.sentence, 1024) },
		{ name: 'Verification', value: clip(result.verification.sentence, 1024) },
		{
			name: 'Closest precedent',
			value: clip(
				result.precedent?.sentence ?? 'No past deal in Parley’s records shares an item with this package.',
				1024,
			),
		},
		{ name: 'To rebalance', value: clip(result.suggestion.sentence, 1024) },
	];
	if (options.notes.length > 0)
		fields.push({ name: 'How your input was read', value: clip(options.notes.join('\n'), 1024) });
	return {
		embeds: [
			{
				title: options.title,
				description: clip(`**${result.verdict.headline}**\n${result.verdict.explanation}`, 4000),
				color: VERDICT_COLOURS[result.verdict.kind],
				fields,
				footer: { text: weightsFooter(result) },
			},
		],
		components: [balanceButtons(options.code, result.suggestion.kind === 'change')],
		allowedMentions: { parse: [] },
	};
}

type FairSplitResult = ReturnType<typeof fairSplit>;

const SIDE_IN_PROSE: Record<Side, string> = { us: 'the United States', dprk: 'North Korea' };

export function renderFairSplit(split: FairSplitResult, title: string): BalanceMessage {
	const intro =
		'Each side spreads 100 points over the items in proportion to its own weights. Brams and Taylor’s Adjusted Winner gives each item to the side that cares more about it, then moves items from the side ahead until both have equal shares; at most one item is split.';
	if (!split.applicable) {
		return {
			embeds: [
				{
					title: `Fair split — ${title}`,
					description: `${intro}\n\n**Not applicable:** ${split.reason}`,
					footer: { text: weightsFooter(split) },
				},
			],
			components: [],
			allowedMentions: { parse: [] },
		};
	}
	const lines = split.items.map((item) => {
		const giver = SIDE_IN_PROSE[item.giver];
		if (item.outcome === 'split')
			return `• **${item.name}** — split: ${giver} gives ${formatMixed(item.givenShare)} of it`;
		if (item.outcome === 'given')
			return `• **${item.name}** — ${giver} gives it (${SIDE_IN_PROSE[item.giver === 'us' ? 'dprk' : 'us']} gets its way)`;
		return `• **${item.name}** — ${giver} keeps it`;
	});
	return {
		embeds: [
			{
				title: `Fair split — ${title}`,
				description: intro,
				color: 0x6366f1,
				fields: [
					{ name: 'Who gets their way', value: clip(lines.join('\n'), 1024) },
					{
						name: 'Equal shares',
						value: `Each side ends with **${formatMixed(split.share)}** of its own 100 points.${split.split ? ` The one divided item is ${split.split.name}: the natural place to compromise.` : ''}`,
					},
					{
						name: 'The package as proposed',
						value: `The United States would get ${formatMixed(split.asProposed.us)} of its points and North Korea ${formatMixed(split.asProposed.dprk)} of its points.`,
					},
				],
				footer: { text: weightsFooter(split) },
			},
		],
		components: [],
		allowedMentions: { parse: [] },
	};
}

export function renderHowComputed(result: BalanceResult, catalog: ConcessionCatalog): BalanceMessage {
	const weightLines = result.weights.map(
		(item) =>
			`• ${item.name} (${item.giver === 'us' ? 'U.S. gives' : 'North Korea gives'}): costs the giver ${item.costToGiver}, worth ${item.valueToReceiver} to the receiver${item.source === 'server' ? ' — this server’s weight' : ''}`,
	);
	return {
		embeds: [
			{
				title: 'How the balance check works',
				description: [
					'1. Each concession has two weights on a 0–10 scale: what giving it **costs the giver** and what getting it is **worth to the receiver**, each judged from that side’s own point of view, with a one-line rationale and sources (see data/concessions.json).',
					'2. Each side’s **net** = the value of what it gets − the cost of what it gives, by its own weights.',
					`3. **Verdict:** the package is balanced when the two nets are within ±${BALANCE_BAND.minTolerance} points or ±${BALANCE_BAND.tolerancePercent}% of everything exchanged; “thin” when balanced but one side does not gain; otherwise tilted toward the side with the higher net.`,
					'4. **Reversibility** counts how much of each side’s concessions could be undone within days; **verification** lists what cannot be checked.',
					'5. **Precedent:** the past deal sharing the most items (Jaccard similarity). **Suggestion:** the smallest single addition or removal from the catalog that brings the nets into balance.',
					'6. **Fair split:** Brams and Taylor’s Adjusted Winner on each side’s points, normalised to 100.',
					'',
					`*${catalog.disclaimer}*`,
				].join('\n'),
				fields: [
					{
						name: 'Weights used for this package',
						value: clip(weightLines.join('\n') || 'No items in this package.', 1024),
					},
				],
				footer: { text: weightsFooter(result) },
			},
		],
		components: [],
		allowedMentions: { parse: [] },
	};
}
