/**
 * The rules of Parley's debate polls: what a moderator may start, who may vote and when, how votes are counted,
 * and how a poll closes. Pure: time is always passed in as epoch milliseconds, and nothing here stores, sends or
 * schedules anything. Storage validates its records with `PollRecord` and `VoteRecord`.
 *
 * Expected refusals come back as `{ ok: false, reason }` or `{ kind: 'refused', reason }`; every reason is a
 * complete sentence that tells the member what to do, and quotes at most 40 characters of what they typed.
 */
import { z } from 'zod';
import { MAX_CHOICE_LENGTH, MAX_CHOICES, MIN_CHOICES, parseChoices } from './choices.js';
import { parseDuration } from './duration.js';
// The chart and the text replies must show the same percentages, so both use the chart's rounding.
import { wholePercentages } from './percentages.js';

export const POLL_STYLES = ['pressure-compromise', 'scale', 'yes-no', 'custom'] as const;
export type PollStyle = (typeof POLL_STYLES)[number];

/** The fixed choices of every style except custom. Scale choices run from 1 (maximum pressure) to 5. */
export const STYLE_CHOICES = {
	'pressure-compromise': ['Pressure', 'Compromise', 'Undecided'],
	scale: ['Maximum pressure', 'Mostly pressure', 'Balanced', 'Mostly compromise', 'Full compromise'],
	'yes-no': ['Yes', 'No'],
} as const satisfies Record<Exclude<PollStyle, 'custom'>, readonly string[]>;

export const DEFAULT_STYLE: PollStyle = 'pressure-compromise';
/** Discord's own polls allow 300 characters; counted in UTF-16 units, like the choice limit. */
export const MAX_QUESTION_LENGTH = 300;
export const DEFAULT_DURATION_MS = 24 * 60 * 60 * 1000;
/** Node's setTimeout fires at once for longer delays (about 24.8 days), so longer waits are done in steps. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** How much of a question `/poll list` shows. */
export const SUMMARY_QUESTION_LENGTH = 80;

// User text quoted back in a refusal is cut to this many characters so a long paste cannot flood the reply.
const QUOTE_LENGTH = 40;

/**
 * A Discord id: a 64-bit unsigned integer written in decimal. Real ids have 17 to 20 digits; shorter ones are
 * accepted because they are still valid snowflakes (test fixtures and the local stand-in's seeds use them).
 */
export const Snowflake = z.string().regex(/^\d{1,20}$/);
export type Snowflake = z.infer<typeof Snowflake>;

/** A poll's short id (base 36 of the interaction snowflake, see `newPollId`); safe inside a custom_id. */
export const PollId = z.string().regex(/^[A-Za-z0-9]{1,20}$/);
export type PollId = z.infer<typeof PollId>;

/**
 * The format of new poll records. Version 2 stores an anonymous poll's votes under a keyed hash of the member id
 * instead of the id (see `votesKeyedByHash`); version 1 records (written before) keep working and are moved to
 * version 2 by the store when their poll is next loaded.
 */
export const POLL_SCHEMA_VERSION = 2;

/**
 * A stored poll. `schemaVersion` lets a later format read this one without losing a community's history.
 * Status goes open → closing (the close is decided, results are being posted) → closed. The `closed…` fields
 * are set when the close is decided; `finalCounts` when it is done.
 */
export const PollRecord = z.object({
	schemaVersion: z.union([z.literal(1), z.literal(POLL_SCHEMA_VERSION)]),
	id: PollId,
	guildId: Snowflake,
	channelId: Snowflake,
	/** Null until the poll message is posted. */
	messageId: Snowflake.nullable(),
	starterId: Snowflake,
	question: z.string().min(1).max(MAX_QUESTION_LENGTH),
	style: z.enum(POLL_STYLES),
	choices: z.array(z.string().min(1).max(MAX_CHOICE_LENGTH)).min(MIN_CHOICES).max(MAX_CHOICES),
	createdAt: z.number().int(),
	deadline: z.number().int(),
	anonymous: z.boolean(),
	hideResults: z.boolean(),
	voterRoleId: Snowflake.nullable(),
	dealId: z.string().nullable(),
	status: z.enum(['open', 'closing', 'closed']),
	closedAt: z.number().int().nullable(),
	closedBy: z.enum(['deadline', 'moderator']).nullable(),
	closedByUserId: Snowflake.nullable(),
	finalCounts: z.array(z.number().int().nonnegative()).nullable(),
});
export type PollRecord = z.infer<typeof PollRecord>;

/**
 * Whether this poll's votes are stored under a keyed hash of the member id (anonymous polls from schema version 2)
 * rather than under the id itself (polls that show moderators who voted what, and anonymous polls stored before).
 */
export function votesKeyedByHash(poll: Pick<PollRecord, 'anonymous' | 'schemaVersion'>): boolean {
	return poll.anonymous && poll.schemaVersion >= 2;
}

/** An anonymous poll stored before votes were keyed by hash: the store re-keys its votes before using them. */
export function needsVoteKeyMigration(poll: Pick<PollRecord, 'anonymous' | 'schemaVersion'>): boolean {
	return poll.anonymous && poll.schemaVersion < 2;
}

/** One member's vote on one poll (stored under its own key, so simultaneous votes never overwrite each other). */
export const VoteRecord = z.object({
	schemaVersion: z.literal(1),
	choice: z
		.number()
		.int()
		.min(0)
		.max(MAX_CHOICES - 1),
	at: z.number().int(),
});
export type VoteRecord = z.infer<typeof VoteRecord>;

// ---------------------------------------------------------------------------------------------------------------
// Text helpers

/** Discord timestamp markup: every reader sees the time in their own time zone. `f` = date and time, `R` = relative. */
export function discordTimestamp(ms: number, style: 'f' | 'R'): string {
	return `<t:${Math.floor(ms / 1000)}:${style}>`;
}

/** Whitespace of any kind becomes one space; control, zero-width and other invisible characters go. */
function cleanText(text: string): string {
	return String(text)
		.replace(/[\t\n\v\f\r\u0085\p{Z}]+/gu, ' ')
		.replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Co}]+/gu, '')
		.replace(/ {2,}/g, ' ')
		.trim();
}

function quote(text: string): string {
	const visible = cleanText(text).replace(/[`*_~|\\"]+/g, '');
	return visible.length > QUOTE_LENGTH ? `${visible.slice(0, QUOTE_LENGTH)}…` : visible;
}

/**
 * Moderator-typed text shows in replies exactly as on the buttons (which render no markdown and no mentions): a
 * zero-width space after "@" and before "<@", "<#"… keeps "@everyone" or "<@id>" in a choice from mentioning anyone.
 */
function escapeMarkdown(text: string): string {
	return text
		.replace(/[\\`*_~|>[\]]/g, '\\$&')
		.replace(/@/g, '@\u200b')
		.replace(/<(?=[@#:&!])/g, '<\u200b');
}

/** Cuts at a word boundary when one is near the end, and says so with "…". */
function clip(text: string, max: number): string {
	if (text.length <= max) return text;
	const cut = text.slice(0, max - 1);
	const boundary = cut.lastIndexOf(' ');
	return `${(boundary > max * 0.6 ? cut.slice(0, boundary) : cut).trimEnd()}…`;
}

const numberFormat = new Intl.NumberFormat('en-US');

function votesText(count: number): string {
	if (count === 0) return 'no votes yet';
	return `${numberFormat.format(count)} ${count === 1 ? 'vote' : 'votes'}`;
}

function choiceLabel(choices: readonly string[], index: number): string {
	const label = choices[index];
	return label === undefined ? `choice ${index + 1}` : escapeMarkdown(label);
}

// ---------------------------------------------------------------------------------------------------------------
// Starting a poll

export interface PollPlanInput {
	question: string;
	style?: string | null;
	/** Custom choices as typed, "Yes; No; Abstain"; only for style custom. */
	choices?: string | null;
	/** As typed, "30m", "2 days"; absent means 24 hours. */
	duration?: string | null;
	now: number;
}

export type PollPlan =
	| {
			readonly ok: true;
			readonly question: string;
			readonly style: PollStyle;
			readonly choices: string[];
			readonly durationMs: number;
			readonly deadline: number;
	  }
	| { readonly ok: false; readonly reason: string };

function isPollStyle(value: string): value is PollStyle {
	return (POLL_STYLES as readonly string[]).includes(value);
}

function isBlank(value: string | null | undefined): boolean {
	return value === null || value === undefined || String(value).trim() === '';
}

/**
 * Checks a `/poll start` request, in this order: the question (1 to 300 characters once invisible characters are
 * removed), the style (default pressure-compromise), the choices (required for custom, refused otherwise), the
 * duration (default 24 hours, 1 minute to 32 days). The first problem found is the reason. Never throws.
 */
export function planPoll(input: PollPlanInput): PollPlan {
	const question = cleanText(input.question);
	if (question === '') {
		return { ok: false, reason: 'Your question is empty once invisible characters are removed; type a question.' };
	}
	if (question.length > MAX_QUESTION_LENGTH) {
		return {
			ok: false,
			reason: `Your question is ${question.length} characters; the limit is ${MAX_QUESTION_LENGTH}. Shorten it and try again.`,
		};
	}

	const styleText = isBlank(input.style) ? DEFAULT_STYLE : String(input.style).trim().toLowerCase();
	if (!isPollStyle(styleText)) {
		return {
			ok: false,
			reason: `There is no poll style called "${quote(String(input.style))}"; choose pressure-compromise, scale, yes-no or custom.`,
		};
	}
	const style = styleText;

	let choices: string[];
	if (style === 'custom') {
		if (isBlank(input.choices)) {
			return {
				ok: false,
				reason:
					'A custom poll needs its own choices: add the choices option with 2 to 10 answers separated by semicolons, like "Yes; No; Abstain".',
			};
		}
		const parsed = parseChoices(String(input.choices));
		if (!parsed.ok) return { ok: false, reason: parsed.reason };
		choices = [...parsed.choices];
	} else {
		if (!isBlank(input.choices)) {
			return {
				ok: false,
				reason: 'Your choices only apply to style:custom; remove them, or set style:custom to use your own choices.',
			};
		}
		choices = [...STYLE_CHOICES[style]];
	}

	let durationMs = DEFAULT_DURATION_MS;
	if (!isBlank(input.duration)) {
		const parsed = parseDuration(String(input.duration));
		if (!parsed.ok) return { ok: false, reason: parsed.reason };
		durationMs = parsed.ms;
	}

	return { ok: true, question, style, choices, durationMs, deadline: input.now + durationMs };
}

/** A poll id from the interaction that started it: base 36 of the snowflake, at most 13 characters. */
export function newPollId(interactionSnowflake: string): string {
	if (!Snowflake.safeParse(interactionSnowflake).success) {
		throw new TypeError(`Not a snowflake: ${JSON.stringify(interactionSnowflake.slice(0, QUOTE_LENGTH))}`);
	}
	return BigInt(interactionSnowflake).toString(36);
}

// ---------------------------------------------------------------------------------------------------------------
// Counting

export interface ScaleSummary {
	/** Mean position, from 1 (the first choice, maximum pressure) to the number of choices. */
	readonly mean: number;
	/** Share of the votes at each position, unrounded; sums to 1. */
	readonly distribution: number[];
}

export interface Tally {
	/** Votes per choice, in choice order. */
	readonly counts: number[];
	/** Votes counted (in-range ones only). */
	readonly total: number;
	/**
	 * Members whose ballot was counted. Turnout counts these, never votes: with one pick per member they are equal
	 * today, but a poll allowing several picks would have more votes than voters.
	 */
	readonly voters: number;
	/**
	 * Whole percentages as the results chart shows them (see `wholePercentages`): equal counts show equal
	 * percentages; they add up to 100, or just under when a tie forbids rounding one choice up; all 0 with no votes.
	 */
	readonly percentages: number[];
	/** Indexes of the choices with the most votes (several on a tie); empty when nobody voted. */
	readonly leaders: number[];
	/** For a scale poll with votes; null otherwise. */
	readonly scale: ScaleSummary | null;
	/** Votes for choices that do not exist on this poll (old or damaged data); left out of every figure above. */
	readonly ignored: number;
}

/** Counts votes (choice indexes). Anything that is not an index of one of the poll's choices is counted as ignored. */
export function tally(
	poll: { readonly choices: readonly string[]; readonly style: PollStyle },
	votes: Iterable<number>,
): Tally {
	const counts = poll.choices.map(() => 0);
	let ignored = 0;
	for (const vote of votes) {
		const current = Number.isInteger(vote) ? counts[vote] : undefined;
		if (current === undefined) ignored++;
		else counts[vote] = current + 1;
	}
	return tallyFromCounts(poll, counts, ignored);
}

/**
 * The tally of known per-choice counts, such as a closed poll's stored final counts: costs one step per choice,
 * however many votes there were. Counts that are missing, negative or not whole numbers count as 0.
 */
export function tallyFromCounts(
	poll: { readonly choices: readonly string[]; readonly style: PollStyle },
	given: readonly number[],
	ignored = 0,
): Tally {
	const counts = poll.choices.map((_, index) => {
		const count = given[index] ?? 0;
		return Number.isSafeInteger(count) && count > 0 ? count : 0;
	});
	const total = counts.reduce((sum, count) => sum + count, 0);
	const most = Math.max(0, ...counts);
	const leaders = total > 0 ? counts.flatMap((count, index) => (count === most ? [index] : [])) : [];
	const scale =
		poll.style === 'scale' && total > 0
			? {
					mean: counts.reduce((sum, count, index) => sum + count * (index + 1), 0) / total,
					distribution: counts.map((count) => count / total),
				}
			: null;
	return { counts, total, voters: total, percentages: wholePercentages(counts, total), leaders, scale, ignored };
}

/** How the top of a tally stands: nobody voted, one choice has the most votes, or several share the most. */
export type Standing =
	| { readonly kind: 'no-votes' }
	| { readonly kind: 'lead'; readonly choice: number; readonly count: number }
	| { readonly kind: 'tie'; readonly choices: readonly number[]; readonly count: number };

/**
 * Whether a choice leads or the lead is tied, from the votes per choice. A tie is never a lead: only a choice alone
 * at the top leads.
 */
export function standing(tally: Pick<Tally, 'counts'>): Standing {
	const count = Math.max(0, ...tally.counts);
	if (!(count > 0)) return { kind: 'no-votes' };
	const top = tally.counts.flatMap((value, index) => (value === count ? [index] : []));
	const [first, ...others] = top;
	if (first === undefined) return { kind: 'no-votes' };
	return others.length === 0 ? { kind: 'lead', choice: first, count } : { kind: 'tie', choices: top, count };
}

/** Turnout as the card states it: members who voted, against the server's size when that is known. */
export interface Turnout {
	/** Members whose vote counts (never the number of votes). */
	readonly voters: number;
	/**
	 * About how many members could have voted; null when unknown or when only a role may vote (the bot cannot
	 * count a role's members without the privileged members intent). Never below `voters`: Discord's approximate
	 * member count lags behind members who just joined, and a turnout over 100% would be a false alarm.
	 */
	readonly members: number | null;
	/** Whole percent of `members` who voted, 0 to 100; null when `members` is. */
	readonly percent: number | null;
}

/**
 * Turnout of a poll from its voters and the server's approximate member count (null or 0 when unknown).
 * `wholeServer` is false when a voter role limits who may vote: the server's size is then the wrong denominator.
 */
export function turnout(voters: number, approximateMembers: number | null, wholeServer: boolean): Turnout {
	const counted = Number.isSafeInteger(voters) && voters > 0 ? voters : 0;
	if (!wholeServer || approximateMembers === null || !Number.isFinite(approximateMembers) || approximateMembers <= 0)
		return { voters: counted, members: null, percent: null };
	const members = Math.max(Math.floor(approximateMembers), counted);
	return { voters: counted, members, percent: Math.min(100, Math.round((100 * counted) / members)) };
}

/**
 * How often the public card may be edited at a poll's age. Discord limits edits of messages older than an hour
 * (error 30046, "Maximum number of edits to messages older than 1 hour reached"), so a card is refreshed within
 * 5 seconds of a vote during its first hour and less often as it ages, for the poll's whole life.
 */
export const LIVE_CARD_REFRESH: readonly { readonly untilAgeMs: number; readonly everyMs: number }[] = [
	{ untilAgeMs: 60 * 60 * 1000, everyMs: 5_000 },
	{ untilAgeMs: 6 * 60 * 60 * 1000, everyMs: 60_000 },
	{ untilAgeMs: 24 * 60 * 60 * 1000, everyMs: 5 * 60_000 },
	{ untilAgeMs: Number.POSITIVE_INFINITY, everyMs: 15 * 60_000 },
];

/** The least time between two edits of a card this old (ms since the poll started). */
export function liveCardRefreshMs(ageMs: number): number {
	const age = Number.isFinite(ageMs) ? Math.max(0, ageMs) : 0;
	const step = LIVE_CARD_REFRESH.find((candidate) => age < candidate.untilAgeMs) ?? LIVE_CARD_REFRESH.at(-1);
	return step?.everyMs ?? 15 * 60_000;
}

// ---------------------------------------------------------------------------------------------------------------
// Voting

export interface VoteInput {
	now: number;
	/** Index into the poll's choices, as the button says. */
	choice: number;
	/** The member's stored vote, or null when they have not voted. */
	previousChoice: number | null;
	memberRoleIds: readonly string[];
}

export type VoteDecision =
	| { readonly kind: 'record'; readonly changed: boolean }
	| { readonly kind: 'same' }
	| { readonly kind: 'refused'; readonly reason: string };

/**
 * When the poll stopped taking votes. A late close (the bot was down at the deadline) still closed at the
 * deadline, because votes after it are refused; an early close closed when a moderator decided it.
 */
function closeTime(poll: Pick<PollRecord, 'closedAt' | 'deadline'>, now: number): number {
	return Math.min(poll.closedAt ?? now, poll.deadline);
}

function closedReason(poll: Pick<PollRecord, 'closedAt' | 'deadline'>, now: number): string {
	return `This poll closed at ${discordTimestamp(closeTime(poll, now), 'f')}.`;
}

/**
 * Whether a button click becomes a vote. Checked in order: the poll is still open (its deadline decides, even if
 * the close has not been processed yet), the member has the voter role when one is set, the choice exists. A
 * click on the choice already recorded is `same`; a different one replaces the old vote (`changed`).
 */
export function voteDecision(poll: PollRecord, input: VoteInput): VoteDecision {
	if (poll.status !== 'open' || input.now >= poll.deadline) {
		return { kind: 'refused', reason: closedReason(poll, input.now) };
	}
	// Every member has the @everyone role, whose id is the guild's, though Discord does not list it on the member.
	const role = poll.voterRoleId;
	if (role !== null && role !== poll.guildId && !input.memberRoleIds.includes(role)) {
		return { kind: 'refused', reason: `Only members with the <@&${role}> role can vote in this poll.` };
	}
	if (!Number.isInteger(input.choice) || input.choice < 0 || input.choice >= poll.choices.length) {
		return { kind: 'refused', reason: 'That choice no longer exists on this poll.' };
	}
	if (input.previousChoice === input.choice) return { kind: 'same' };
	return { kind: 'record', changed: input.previousChoice !== null };
}

/**
 * The ephemeral reply to a vote: what was recorded (or changed, or was already there) and until when it can
 * be changed.
 */
export function receiptText(
	poll: Pick<PollRecord, 'choices' | 'deadline' | 'hideResults'>,
	choiceIndex: number,
	changedFrom: number | null,
): string {
	const label = choiceLabel(poll.choices, choiceIndex);
	const until = `you can change it until ${discordTimestamp(poll.deadline, 'f')}.`;
	let text: string;
	if (changedFrom === null) text = `Recorded: ${label} — ${until}`;
	else if (changedFrom === choiceIndex) text = `Your vote is already recorded: ${label} — ${until}`;
	else text = `Changed your vote from ${choiceLabel(poll.choices, changedFrom)} to ${label} — ${until}`;
	return poll.hideResults ? `${text} Results stay hidden until the poll closes.` : text;
}

// ---------------------------------------------------------------------------------------------------------------
// Closing

/** Who asks for the close: the deadline timer or sweep, or a member using `/poll close`. */
export type CloseBy = 'deadline' | { readonly userId: string; readonly isModerator: boolean };

export type CloseDecision =
	| { readonly kind: 'close' }
	| { readonly kind: 'already-closed'; readonly closedAt: number }
	| { readonly kind: 'refused'; readonly reason: string };

/**
 * Whether to close a poll now. Closing a closed poll is harmless (`already-closed`). The deadline closes a poll
 * only once it has passed (a timer that fires early re-arms); a member may close it if they started it or are a
 * moderator. A poll stuck in `closing` (the process stopped mid-close) may be closed again to finish the job.
 */
export function closeDecision(poll: PollRecord, now: number, by: CloseBy): CloseDecision {
	if (poll.status === 'closed') return { kind: 'already-closed', closedAt: closeTime(poll, now) };
	if (by === 'deadline') {
		if (poll.status === 'closing' || now >= poll.deadline) return { kind: 'close' };
		return { kind: 'refused', reason: `This poll is open until ${discordTimestamp(poll.deadline, 'f')}.` };
	}
	if (by.userId !== poll.starterId && !by.isModerator) {
		return { kind: 'refused', reason: 'Only the member who started this poll or a moderator can close it.' };
	}
	return { kind: 'close' };
}

type Closure = Pick<PollRecord, 'closedAt' | 'closedBy' | 'closedByUserId'>;

/**
 * Who closed the poll and when. Once the deadline has passed the deadline closed it, whoever processes the
 * close; before it, the member who asked did (recorded as `moderator`, with their id).
 */
function closure(poll: PollRecord, now: number, by: CloseBy): Closure {
	if (poll.status !== 'open' && poll.closedAt !== null && poll.closedBy !== null) {
		return { closedAt: poll.closedAt, closedBy: poll.closedBy, closedByUserId: poll.closedByUserId };
	}
	if (now >= poll.deadline) return { closedAt: poll.deadline, closedBy: 'deadline', closedByUserId: null };
	if (by === 'deadline') return { closedAt: now, closedBy: 'deadline', closedByUserId: null };
	return { closedAt: now, closedBy: 'moderator', closedByUserId: by.userId };
}

/**
 * The record while its close is being processed (results being posted): votes are refused from here on. Keeps
 * an earlier decision when the poll is already closing or closed.
 */
export function closingRecord(poll: PollRecord, now: number, by: CloseBy): PollRecord {
	if (poll.status === 'closed') return poll;
	return { ...poll, status: 'closing', ...closure(poll, now, by) };
}

/**
 * The closed record with its final counts (one per choice; missing or invalid counts become 0). A poll that is
 * already closed comes back unchanged, so closing twice never rewrites the result; a closing poll keeps the
 * close time and closer recorded when the close was decided.
 */
export function closedRecord(poll: PollRecord, now: number, by: CloseBy, counts: readonly number[]): PollRecord {
	if (poll.status === 'closed') return poll;
	const finalCounts = poll.choices.map((_, index) => {
		const count = counts[index] ?? 0;
		return Number.isSafeInteger(count) && count > 0 ? count : 0;
	});
	return { ...poll, status: 'closed', ...closure(poll, now, by), finalCounts };
}

/**
 * How long a timer should wait for a deadline: 0 when it has passed, never more than `MAX_TIMER_MS`. A timer that
 * fires before the deadline (a long wait done in steps) is simply armed again.
 */
export function nextWakeDelay(deadline: number, now: number): number {
	const remaining = Math.ceil(deadline - now);
	if (Number.isNaN(remaining)) return MAX_TIMER_MS;
	return Math.min(MAX_TIMER_MS, Math.max(0, remaining));
}

/** One line of `/poll list`: the question (clipped), the number of votes, and when it closes or closed. */
export function pollSummaryLine(
	poll: Pick<PollRecord, 'question' | 'deadline' | 'status' | 'closedAt'>,
	total: number,
	now: number,
): string {
	const question = escapeMarkdown(clip(cleanText(poll.question), SUMMARY_QUESTION_LENGTH));
	const open = poll.status === 'open' && now < poll.deadline;
	const when = open
		? `closes ${discordTimestamp(poll.deadline, 'R')}`
		: `closed ${discordTimestamp(closeTime(poll, now), 'R')}`;
	return `**${question}** — ${votesText(total)} — ${when}`;
}
