import {
	type APIActionRowComponent,
	type APIButtonComponent,
	type APIEmbed,
	type APIEmbedField,
	ButtonStyle,
	ComponentType,
} from 'discord-api-types/v10';
import type { Deal } from '../../data/deal-schema.js';
import { discordTimestamp, type PollRecord, type Tally } from '../../domain/poll.js';
import type { Library } from '../../library.js';
import { encodeCustomId } from '../custom-id.js';
import { clip, formatShortDate, quoteUserText } from '../format.js';
import { CAMP_HEADINGS, campOrder, campOrderNote, caseLines } from './deal.js';

export const STYLE_LABELS: Record<PollRecord['style'], string> = {
	'pressure-compromise': 'Pressure or compromise',
	scale: 'Scale: maximum pressure to full compromise',
	'yes-no': 'Yes or no',
	custom: 'Custom choices',
};

const VOTE_STYLES = [ButtonStyle.Danger, ButtonStyle.Success, ButtonStyle.Secondary] as const;

export interface PollCardContext {
	readonly tally: Tally;
	readonly now: number;
	readonly deal: Deal | null;
	/** Members in the server, for turnout; null when unknown. */
	readonly memberCount: number | null;
	/** Attachment name of the results chart, on the final card. */
	readonly chartFile?: string;
}

export interface PollMessage {
	readonly content?: string;
	readonly embeds: APIEmbed[];
	readonly components: APIActionRowComponent<APIButtonComponent>[];
	readonly allowedMentions: { parse: [] };
}

function bar(percent: number): string {
	const filled = Math.round(percent / 10);
	return `${'▰'.repeat(filled)}${'▱'.repeat(10 - filled)}`;
}

function countLines(poll: PollRecord, tally: Tally): string {
	return poll.choices
		.map((choice, index) => {
			const count = tally.counts[index] ?? 0;
			const percent = tally.percentages[index] ?? 0;
			const lead = tally.leaders.includes(index) && tally.total > 0 ? ' ◀' : '';
			return `${bar(percent)} **${quoteUserText(choice, 80)}** — ${count} (${percent}%)${lead}`;
		})
		.join('\n');
}

function turnout(tally: Tally, memberCount: number | null, poll: PollRecord): string {
	const votes = `${tally.total} vote${tally.total === 1 ? '' : 's'}`;
	if (memberCount === null || memberCount <= 0 || poll.voterRoleId) return votes;
	return `${votes} from ${memberCount} members (${Math.round((100 * tally.total) / memberCount)}% turnout)`;
}

function voteButtons(poll: PollRecord, disabled: boolean): APIActionRowComponent<APIButtonComponent>[] {
	const buttons: APIButtonComponent[] = poll.choices.map((choice, index) => ({
		type: ComponentType.Button,
		style: poll.style === 'pressure-compromise' ? (VOTE_STYLES[index] ?? ButtonStyle.Secondary) : ButtonStyle.Primary,
		label: clip(choice, 80),
		custom_id: encodeCustomId('poll', 'vote', poll.id, String(index)),
		disabled,
	}));
	const rows: APIActionRowComponent<APIButtonComponent>[] = [];
	for (let start = 0; start < buttons.length; start += 5)
		rows.push({ type: ComponentType.ActionRow, components: buttons.slice(start, start + 5) });
	return rows;
}

function extraButtons(poll: PollRecord, closed: boolean): APIActionRowComponent<APIButtonComponent> | null {
	const buttons: APIButtonComponent[] = [];
	if (!poll.hideResults || closed) {
		buttons.push({
			type: ComponentType.Button,
			style: ButtonStyle.Secondary,
			label: 'Results',
			custom_id: encodeCustomId('poll', 'results', poll.id),
		});
	}
	if (poll.dealId) {
		buttons.push(
			{
				type: ComponentType.Button,
				style: ButtonStyle.Secondary,
				label: 'Briefing',
				custom_id: encodeCustomId('poll', 'brief', poll.id),
			},
			{
				type: ComponentType.Button,
				style: ButtonStyle.Secondary,
				label: 'Both cases',
				custom_id: encodeCustomId('poll', 'cases', poll.id),
			},
		);
	}
	return buttons.length > 0 ? { type: ComponentType.ActionRow, components: buttons } : null;
}

/**
 * What an anonymous poll promises, exactly: members and moderators cannot see who voted what (the bot shows no
 * voters and stores a keyed hash in place of the member id), but whoever runs the bot receives every click and holds
 * the key, so could find out.
 */
export const ANONYMOUS_PROMISE =
	'Votes are anonymous: no member or moderator can see who voted what, and Parley stores no member id with a vote. Whoever runs the bot could still find out.';

/** The live poll card: question, style, deadline, optional deal context, live counts unless hidden, vote buttons. */
export function renderPollCard(poll: PollRecord, context: PollCardContext): PollMessage {
	const closed = poll.status === 'closed';
	const lines = [`*${STYLE_LABELS[poll.style]}* · started by <@${poll.starterId}>`];
	if (closed)
		lines.push(
			`**Closed** ${discordTimestamp(poll.closedAt ?? poll.deadline, 'f')}${poll.closedBy === 'moderator' ? ' by a moderator' : ''}`,
		);
	else
		lines.push(
			`Closes ${discordTimestamp(poll.deadline, 'f')} (${discordTimestamp(poll.deadline, 'R')}) · you can change your vote until then`,
		);
	if (context.deal)
		lines.push(
			`Context: **${context.deal.name}** (${formatShortDate(context.deal.date.start)}) — ${context.deal.outcome}`,
		);
	if (poll.voterRoleId) lines.push(`Only members with <@&${poll.voterRoleId}> can vote.`);
	lines.push(poll.anonymous ? ANONYMOUS_PROMISE : 'Votes are not anonymous: moderators can see who voted for what.');

	const fields: APIEmbedField[] = [];
	if (closed || !poll.hideResults) {
		fields.push({ name: closed ? 'Final result' : 'Live count', value: clip(countLines(poll, context.tally), 1024) });
		fields.push({
			name: closed ? 'Turnout' : 'Votes so far',
			value: turnout(context.tally, context.memberCount, poll),
			inline: true,
		});
		if (context.tally.scale) {
			fields.push({
				name: 'Mean on the scale',
				value: `${context.tally.scale.mean.toFixed(2)} (1 = ${poll.choices[0]}, ${poll.choices.length} = ${poll.choices.at(-1)})`,
				inline: true,
			});
		}
	} else {
		fields.push({
			name: 'Results',
			value: `Hidden until the poll closes · ${context.tally.total} vote${context.tally.total === 1 ? '' : 's'} so far`,
		});
	}
	const embed: APIEmbed = {
		title: clip(`${closed ? 'Closed: ' : ''}${poll.question}`, 256),
		description: lines.join('\n'),
		color: closed ? 0x64748b : 0x6366f1,
		fields,
		footer: { text: `Poll ${poll.id}${closed ? '' : ' · the count on this card updates every few seconds'}` },
	};
	if (closed && context.chartFile) embed.image = { url: `attachment://${context.chartFile}` };
	const rows = voteButtons(poll, closed);
	const extra = extraButtons(poll, closed);
	if (extra) rows.push(extra);
	return { embeds: [embed], components: rows, allowedMentions: { parse: [] } };
}

/** The private answer to "Results": counts, and voters per choice for moderators of non-anonymous polls. */
export function renderPollResults(
	poll: PollRecord,
	context: PollCardContext & { voters: Map<number, string[]> | null },
): PollMessage {
	const closed = poll.status === 'closed';
	const fields: APIEmbedField[] = [
		{ name: closed ? 'Final result' : 'Live count', value: clip(countLines(poll, context.tally), 1024) },
		{ name: 'Votes', value: turnout(context.tally, context.memberCount, poll), inline: true },
	];
	if (context.tally.scale) fields.push({ name: 'Mean', value: context.tally.scale.mean.toFixed(2), inline: true });
	if (context.voters) {
		poll.choices.forEach((choice, index) => {
			const ids = context.voters?.get(index) ?? [];
			if (ids.length === 0) return;
			fields.push({
				name: `Voted ${clip(choice, 80)} (${ids.length})`,
				value: clip(ids.map((id) => `<@${id}>`).join(' '), 1024),
			});
		});
	}
	return {
		embeds: [
			{
				title: clip(`Results: ${poll.question}`, 256),
				description: closed
					? `Closed ${discordTimestamp(poll.closedAt ?? poll.deadline, 'f')}.`
					: `Open until ${discordTimestamp(poll.deadline, 'f')}. These are live numbers.`,
				fields,
				color: 0x6366f1,
			},
		],
		components: [],
		allowedMentions: { parse: [] },
	};
}

/**
 * "Both cases": the argument for pressure and the argument for compromise side by side, each an attributed summary
 * followed by its advocates' own words. A deal's own cases when the poll links one, the general cases otherwise.
 */
export function renderBothCases(deal: Deal | null, library: Pick<Library, 'positions'>): PollMessage {
	const { cases, sources } = deal
		? { cases: deal.cases, sources: deal.sources }
		: { cases: library.positions.general, sources: library.positions.sources };
	const byKey = new Map(sources.map((source) => [source.key, source]));
	const cite = (keys: readonly string[]) => {
		const links = keys.flatMap((key) => {
			const source = byKey.get(key);
			return source ? [`[source](${source.url})`] : [];
		});
		return links.length > 0 ? ` ${links.join(' ')}` : '';
	};
	const year = deal ? Number(deal.date.start.slice(0, 4)) : new Date().getUTCFullYear();
	const order = campOrder(year);
	// One embed a camp, so each case is shown whole (an embed field would cut it at 1,024 characters).
	return {
		embeds: order.map((camp, index) => ({
			title: `${CAMP_HEADINGS[camp]}${deal ? ` — ${deal.name}` : ''}`,
			description: clip(caseLines(cases, camp, cite).join('\n'), 4096),
			color: camp === 'pressure' ? 0xf97316 : 0x0ea5e9,
			...(index === 0
				? {
						author: {
							name: 'Both cases: what each camp’s advocates argue, summarised by Parley, then in their own words',
						},
					}
				: { footer: { text: clip(campOrderNote(year), 2048) } }),
		})),
		components: [],
		allowedMentions: { parse: [] },
	};
}
