import {
	type APIActionRowComponent,
	type APIButtonComponent,
	type APIEmbed,
	type APIEmbedField,
	ButtonStyle,
	ComponentType,
} from 'discord-api-types/v10';
import type { Deal } from '../../data/deal-schema.js';
import {
	discordTimestamp,
	liveCardRefreshMs,
	type PollRecord,
	standing,
	type Tally,
	turnout,
} from '../../domain/poll.js';
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
	/** When the figures were read: the card says it was last updated then. */
	readonly now: number;
	readonly deal: Deal | null;
	/** The server's approximate member count (Discord's `approximate_member_count`), for turnout; null when unknown. */
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

const numberFormat = new Intl.NumberFormat('en-US');

/** "A", "A and B", "A, B and C". */
function listOf(items: readonly string[]): string {
	if (items.length <= 1) return items.join('');
	return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * One line per choice with its bar, count and share. A choice alone at the top is marked ◀; a tie for the top is
 * said in words and marks nobody, and equal counts show equal percentages.
 */
function countLines(poll: PollRecord, tally: Tally): string {
	const top = standing(tally);
	const lines = poll.choices.map((choice, index) => {
		const count = tally.counts[index] ?? 0;
		const percent = tally.percentages[index] ?? 0;
		const lead = top.kind === 'lead' && top.choice === index ? ' ◀' : '';
		return `${bar(percent)} **${quoteUserText(choice, 80)}** — ${count} (${percent}%)${lead}`;
	});
	if (top.kind === 'tie') {
		const names = top.choices.map((index) => `**${quoteUserText(poll.choices[index] ?? `choice ${index + 1}`, 80)}**`);
		lines.push(`Tied: ${listOf(names)}, ${numberFormat.format(top.count)} vote${top.count === 1 ? '' : 's'} each`);
	}
	return lines.join('\n');
}

/**
 * "3 of about 40 members have voted (8%)": members who voted against the server's approximate size, never above
 * 100%; just "3 members have voted" when the size is unknown or a voter role limits who may vote.
 */
function turnoutText(tally: Tally, memberCount: number | null, poll: PollRecord): string {
	const closed = poll.status === 'closed';
	const figures = turnout(tally.voters, memberCount, poll.voterRoleId === null);
	const voters = figures.voters;
	if (voters === 0) {
		const nobody = closed ? 'No one voted' : 'No one has voted yet';
		return figures.members === null ? nobody : `${nobody} (about ${numberFormat.format(figures.members)} members)`;
	}
	const verb = closed ? 'voted' : voters === 1 ? 'has voted' : 'have voted';
	if (figures.members === null || figures.percent === null)
		return `${numberFormat.format(voters)} member${voters === 1 ? '' : 's'} ${verb}`;
	const percent = figures.percent === 0 ? '<1%' : `${figures.percent}%`;
	const members = `${numberFormat.format(figures.members)} member${figures.members === 1 ? '' : 's'}`;
	return `${numberFormat.format(voters)} of about ${members} ${verb} (${percent})`;
}

/** "5 seconds", "a minute", "15 minutes". */
function intervalWords(ms: number): string {
	const seconds = Math.round(ms / 1000);
	if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
	const minutes = Math.round(seconds / 60);
	return minutes === 1 ? 'a minute' : `${minutes} minutes`;
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
		fields.push({ name: 'Turnout', value: turnoutText(context.tally, context.memberCount, poll), inline: true });
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
			value: `Hidden from members until the poll closes · ${turnoutText(context.tally, context.memberCount, poll)}`,
		});
	}
	const embed: APIEmbed = {
		title: clip(`${closed ? 'Closed: ' : ''}${poll.question}`, 256),
		description: lines.join('\n'),
		color: closed ? 0x64748b : 0x6366f1,
		fields,
		// Footers show no timestamp markup; the embed's timestamp is Discord's way to show a time there, in each
		// reader's own time zone. The promised delay is the one the poll service keeps (`liveCardRefreshMs`).
		footer: {
			text: closed
				? `Poll ${poll.id} · final result`
				: `Poll ${poll.id} · new votes show here within ${intervalWords(liveCardRefreshMs(context.now - poll.createdAt))} · last updated`,
		},
		timestamp: new Date(closed ? (poll.closedAt ?? context.now) : context.now).toISOString(),
	};
	if (closed && context.chartFile) embed.image = { url: `attachment://${context.chartFile}` };
	const rows = voteButtons(poll, closed);
	const extra = extraButtons(poll, closed);
	if (extra) rows.push(extra);
	return { embeds: [embed], components: rows, allowedMentions: { parse: [] } };
}

/** Characters of voter mentions one Results answer may hold, across all choices (an embed holds 6,000 in all). */
const VOTER_TEXT_BUDGET = 4_000;
const countFormat = new Intl.NumberFormat('en-US');

/**
 * One field per choice with votes: its count (from the tally) and the mentions of the voters given, as many as fit
 * the choice's share of the budget; the rest are counted ("and 5,960 more").
 */
function voterFields(poll: PollRecord, tally: Tally, voters: ReadonlyMap<number, readonly string[]>): APIEmbedField[] {
	const withVotes = poll.choices.filter((_, index) => (tally.counts[index] ?? 0) > 0).length;
	const budget = Math.min(1_000, Math.floor(VOTER_TEXT_BUDGET / Math.max(1, withVotes)));
	return poll.choices.flatMap((choice, index) => {
		const count = tally.counts[index] ?? 0;
		if (count === 0) return [];
		const mentions: string[] = [];
		let length = 0;
		for (const id of voters.get(index) ?? []) {
			const mention = `<@${id}>`;
			// Room is kept for " and 99,999 more".
			if (length + mention.length + 1 > budget - 20) break;
			mentions.push(mention);
			length += mention.length + 1;
		}
		const more = count - mentions.length;
		const value =
			mentions.length === 0
				? `${countFormat.format(count)} members (too many to list here)`
				: more > 0
					? `${mentions.join(' ')} and ${countFormat.format(more)} more`
					: mentions.join(' ');
		return [{ name: `Voted ${clip(choice, 80)} (${countFormat.format(count)})`, value }];
	});
}

/** The private answer to "Results": counts, and voters per choice for moderators of non-anonymous polls. */
export function renderPollResults(
	poll: PollRecord,
	context: PollCardContext & { voters: ReadonlyMap<number, readonly string[]> | null },
): PollMessage {
	const closed = poll.status === 'closed';
	const fields: APIEmbedField[] = [
		{ name: closed ? 'Final result' : 'Live count', value: clip(countLines(poll, context.tally), 1024) },
		{ name: 'Turnout', value: turnoutText(context.tally, context.memberCount, poll), inline: true },
	];
	if (context.tally.scale) fields.push({ name: 'Mean', value: context.tally.scale.mean.toFixed(2), inline: true });
	if (context.voters) fields.push(...voterFields(poll, context.tally, context.voters));
	return {
		embeds: [
			{
				title: clip(`Results: ${poll.question}`, 256),
				description: closed
					? `Closed ${discordTimestamp(poll.closedAt ?? poll.deadline, 'f')}.`
					: `Open until ${discordTimestamp(poll.deadline, 'f')}. These are live numbers.${
							poll.hideResults
								? ' This count is hidden from members until the poll closes: you see it as a moderator of its channel.'
								: ''
						}`,
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
