import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wholePercentages } from '../../src/domain/percentages.js';
import {
	type CloseBy,
	closeDecision,
	closedRecord,
	closingRecord,
	DEFAULT_DURATION_MS,
	LIVE_CARD_REFRESH,
	liveCardRefreshMs,
	MAX_QUESTION_LENGTH,
	MAX_TIMER_MS,
	newPollId,
	nextWakeDelay,
	POLL_STYLES,
	PollId,
	PollRecord,
	type PollStyle,
	planPoll,
	pollSummaryLine,
	receiptText,
	STYLE_CHOICES,
	standing,
	tally,
	turnout,
	VoteRecord,
	voteDecision,
} from '../../src/domain/poll.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const DEADLINE = NOW + DAY;
const DURATION_HINT = 'Use a duration like 30m, 2h or 3d, between 1 minute and 32 days.';

const GUILD = '1100000000000000001';
const STARTER = '1200000000000000001';
const MEMBER = '1200000000000000002';
const MODERATOR = '1200000000000000003';
const VOTER_ROLE = '1300000000000000001';

/** Discord timestamp markup for an epoch-ms time. */
function stamp(ms: number, style: 'f' | 'R'): string {
	return `<t:${Math.floor(ms / 1000)}:${style}>`;
}

function makePoll(overrides: Partial<PollRecord> = {}): PollRecord {
	return PollRecord.parse({
		schemaVersion: 1,
		id: 'k3x9p2',
		guildId: GUILD,
		channelId: '1400000000000000001',
		messageId: '1500000000000000001',
		starterId: STARTER,
		question: 'Should Washington offer sanctions relief for a verified freeze?',
		style: 'pressure-compromise',
		choices: ['Pressure', 'Compromise', 'Undecided'],
		createdAt: NOW - HOUR,
		deadline: DEADLINE,
		anonymous: false,
		hideResults: false,
		voterRoleId: null,
		dealId: null,
		status: 'open',
		closedAt: null,
		closedBy: null,
		closedByUserId: null,
		finalCounts: null,
		...overrides,
	});
}

describe('planPoll', () => {
	it('defaults to a 24-hour pressure-or-compromise poll', () => {
		expect(planPoll({ question: 'Pressure or compromise?', now: NOW })).toEqual({
			ok: true,
			question: 'Pressure or compromise?',
			style: 'pressure-compromise',
			choices: ['Pressure', 'Compromise', 'Undecided'],
			durationMs: DEFAULT_DURATION_MS,
			deadline: NOW + DAY,
		});
		expect(DEFAULT_DURATION_MS).toBe(DAY);
	});

	it.each([
		['pressure-compromise', ['Pressure', 'Compromise', 'Undecided']],
		['scale', ['Maximum pressure', 'Mostly pressure', 'Balanced', 'Mostly compromise', 'Full compromise']],
		['yes-no', ['Yes', 'No']],
		[' Yes-No ', ['Yes', 'No']],
		['SCALE', STYLE_CHOICES.scale],
	])('style %j gives its fixed choices', (style, choices) => {
		expect(planPoll({ question: 'Q?', style, now: NOW })).toMatchObject({ ok: true, choices });
	});

	it('takes custom choices from the choices option', () => {
		expect(
			planPoll({ question: 'Which first step?', style: 'custom', choices: 'Freeze; Inspections; Talks', now: NOW }),
		).toMatchObject({
			ok: true,
			style: 'custom',
			choices: ['Freeze', 'Inspections', 'Talks'],
		});
	});

	it('treats blank options as not given', () => {
		expect(planPoll({ question: 'Q?', style: ' ', choices: '', duration: '  ', now: NOW })).toMatchObject({
			ok: true,
			style: 'pressure-compromise',
			deadline: NOW + DAY,
		});
	});

	it('reads the duration with the shared duration rules', () => {
		expect(planPoll({ question: 'Q?', duration: '1h30m', now: NOW })).toMatchObject({
			ok: true,
			durationMs: 90 * MINUTE,
			deadline: NOW + 90 * MINUTE,
		});
		expect(planPoll({ question: 'Q?', duration: '32d', now: NOW })).toMatchObject({
			ok: true,
			deadline: NOW + 32 * DAY,
		});
	});

	it('removes invisible characters and collapses spacing in the question', () => {
		expect(planPoll({ question: '  Should\u200b we\tnegotiate?\n\u0007 ', now: NOW })).toMatchObject({
			ok: true,
			question: 'Should we negotiate?',
		});
	});

	it('accepts a question of exactly 300 characters and counts after cleaning', () => {
		const question = 'a'.repeat(MAX_QUESTION_LENGTH);
		expect(planPoll({ question, now: NOW })).toMatchObject({ ok: true, question });
		expect(planPoll({ question: `${question}\u200b\u200b  `, now: NOW })).toMatchObject({ ok: true, question });
	});

	it.each([
		[{ question: 'a'.repeat(412) }, 'Your question is 412 characters; the limit is 300. Shorten it and try again.'],
		[{ question: '' }, 'Your question is empty once invisible characters are removed; type a question.'],
		[
			{ question: ' \u200b\u200d\t ' },
			'Your question is empty once invisible characters are removed; type a question.',
		],
		[
			{ question: 'Q?', style: 'ranked' },
			'There is no poll style called "ranked"; choose pressure-compromise, scale, yes-no or custom.',
		],
		[
			{ question: 'Q?', style: 'custom' },
			'A custom poll needs its own choices: add the choices option with 2 to 10 answers separated by semicolons, like "Yes; No; Abstain".',
		],
		[
			{ question: 'Q?', choices: 'A; B' },
			'Your choices only apply to style:custom; remove them, or set style:custom to use your own choices.',
		],
		[
			{ question: 'Q?', style: 'yes-no', choices: 'A; B' },
			'Your choices only apply to style:custom; remove them, or set style:custom to use your own choices.',
		],
		[
			{ question: 'Q?', style: 'scale', choices: 'A; B' },
			'Your choices only apply to style:custom; remove them, or set style:custom to use your own choices.',
		],
		[{ question: 'Q?', style: 'custom', choices: 'Yes' }, 'A custom poll needs 2 to 10 choices; you gave 1.'],
		[
			{ question: 'Q?', style: 'custom', choices: 'Yes; yes' },
			'Choices must be different: "Yes" and "yes" count as the same choice.',
		],
		[{ question: 'Q?', duration: '40d' }, `"40d" is too long. ${DURATION_HINT}`],
		[{ question: 'Q?', duration: '30s' }, `"30s" is too short. ${DURATION_HINT}`],
		[{ question: 'Q?', duration: 'soon' }, `"soon" is not a duration. ${DURATION_HINT}`],
	])('%j is refused: %s', (options, reason) => {
		expect(planPoll({ now: NOW, ...options })).toEqual({ ok: false, reason });
	});

	it('reports the first problem: question, then style, then choices, then duration', () => {
		expect(planPoll({ question: '', style: 'nope', choices: 'x', duration: 'never', now: NOW })).toMatchObject({
			reason: expect.stringContaining('Your question is empty'),
		});
		expect(planPoll({ question: 'Q?', style: 'nope', choices: 'x', duration: 'never', now: NOW })).toMatchObject({
			reason: expect.stringContaining('no poll style'),
		});
		expect(planPoll({ question: 'Q?', choices: 'x', duration: 'never', now: NOW })).toMatchObject({
			reason: expect.stringContaining('only apply to style:custom'),
		});
	});

	it('quotes at most 40 characters of an unknown style, without markdown', () => {
		const result = planPoll({ question: 'Q?', style: `**${'x'.repeat(100)}**`, now: NOW });
		expect(result).toEqual({
			ok: false,
			reason: `There is no poll style called "${'x'.repeat(40)}…"; choose pressure-compromise, scale, yes-no or custom.`,
		});
	});

	it('never throws, and every accepted plan fits the stored record', () => {
		// Arbitrary UTF-16 (lone surrogates, controls) mixed with input shaped enough to be accepted often.
		const text = fc.string({ unit: 'binary', maxLength: 400 });
		const input = fc.record({
			question: fc.oneof(text, fc.string({ minLength: 280, maxLength: 320 })),
			style: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(null, ...POLL_STYLES) }, { weight: 1, arbitrary: text }),
			choices: fc.oneof(
				{ weight: 2, arbitrary: fc.constant(null) },
				{ weight: 2, arbitrary: fc.array(text, { maxLength: 12 }).map((parts) => parts.join(';')) },
				{
					weight: 2,
					arbitrary: fc.array(fc.string({ maxLength: 90 }), { maxLength: 12 }).map((parts) => parts.join(';')),
				},
				{ weight: 1, arbitrary: text },
			),
			duration: fc.oneof(fc.constant(null), fc.constantFrom('1m', '30m', '2h', '3d', '32d'), text),
			now: fc.integer({ min: 0, max: 2 ** 45 }),
		});
		let accepted = 0;
		let acceptedCustom = 0;
		fc.assert(
			fc.property(input, (options) => {
				const plan = planPoll(options);
				if (!plan.ok) {
					expect(plan.reason).toMatch(/[.!?]$/);
					return;
				}
				accepted++;
				if (plan.style === 'custom') acceptedCustom++;
				expect(plan.deadline).toBeGreaterThan(options.now);
				const record = {
					...makePoll(),
					question: plan.question,
					style: plan.style,
					choices: plan.choices,
					createdAt: options.now,
					deadline: plan.deadline,
				};
				expect(PollRecord.safeParse(record).success).toBe(true);
			}),
			{ numRuns: 1000 },
		);
		// The property above says nothing if almost every input is refused.
		expect(accepted).toBeGreaterThan(100);
		expect(acceptedCustom).toBeGreaterThan(10);
	});
});

describe('tally', () => {
	const pressure = { choices: STYLE_CHOICES['pressure-compromise'], style: 'pressure-compromise' as PollStyle };
	const scale = { choices: STYLE_CHOICES.scale, style: 'scale' as PollStyle };
	const yesNo = { choices: STYLE_CHOICES['yes-no'], style: 'yes-no' as PollStyle };

	it('counts votes per choice with whole percentages and the leader', () => {
		expect(tally(pressure, [0, 0, 1])).toEqual({
			counts: [2, 1, 0],
			total: 3,
			voters: 3,
			percentages: [67, 33, 0],
			leaders: [0],
			scale: null,
			ignored: 0,
		});
	});

	it('never ranks an even three-way split by rounding: 33% each, not 34/33/33', () => {
		expect(tally(pressure, [0, 1, 2]).percentages).toEqual([33, 33, 33]);
	});

	it('lists every choice that shares the lead', () => {
		expect(tally(yesNo, [0, 1])).toMatchObject({ leaders: [0, 1], percentages: [50, 50] });
		expect(tally(pressure, [2, 1, 1, 2])).toMatchObject({ leaders: [1, 2] });
	});

	it('gives a scale poll its mean position from 1 (maximum pressure) to 5 and the share at each point', () => {
		const result = tally(scale, [0, 1, 1, 3, 4]);
		expect(result.counts).toEqual([1, 2, 0, 1, 1]);
		expect(result.scale).toEqual({ mean: 2.8, distribution: [0.2, 0.4, 0, 0.2, 0.2] });
		expect(tally(scale, [4, 4]).scale?.mean).toBe(5);
		expect(tally(scale, [0]).scale?.mean).toBe(1);
	});

	it.each([
		['pressure-compromise', pressure],
		['scale', scale],
		['yes-no', yesNo],
	])('with no votes, a %s poll shows zeros, no leader and no mean', (_style, poll) => {
		const result = tally(poll, []);
		expect(result).toEqual({
			counts: poll.choices.map(() => 0),
			total: 0,
			voters: 0,
			percentages: poll.choices.map(() => 0),
			leaders: [],
			scale: null,
			ignored: 0,
		});
	});

	it('ignores votes for choices the poll does not have instead of failing', () => {
		expect(tally(yesNo, [0, 5, -1, 1.5, Number.NaN, 2, 1, 0])).toEqual({
			counts: [2, 1],
			total: 3,
			voters: 3,
			percentages: [67, 33],
			leaders: [0],
			scale: null,
			ignored: 5,
		});
	});

	it('reads any iterable of votes, such as stored votes streamed from a map', () => {
		const votes = new Map([
			['alice', 1],
			['bob', 1],
			['carol', 0],
		]);
		expect(tally(yesNo, votes.values()).counts).toEqual([1, 2]);
	});

	it('shows the same percentages as the results chart', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 2, max: 10 }),
				fc.array(fc.integer({ min: -3, max: 12 }), { maxLength: 300 }),
				(choiceCount, votes) => {
					const choices = Array.from({ length: choiceCount }, (_, index) => `Choice ${index + 1}`);
					const result = tally({ choices, style: 'custom' }, votes);
					const inRange = votes.filter((vote) => vote >= 0 && vote < choiceCount);
					expect(result.counts.reduce((sum, count) => sum + count, 0)).toBe(inRange.length);
					expect(result.total).toBe(inRange.length);
					expect(result.ignored).toBe(votes.length - inRange.length);
					expect(result.percentages).toEqual(wholePercentages(result.counts, result.total));
					if (result.total > 0) {
						const sum = result.percentages.reduce((acc, percent) => acc + percent, 0);
						expect(sum).toBeLessThanOrEqual(100);
						expect(sum).toBeGreaterThan(100 - choiceCount);
						expect(result.leaders.length).toBeGreaterThan(0);
					} else {
						expect(result.leaders).toEqual([]);
					}
				},
			),
		);
	});

	it('keeps a scale mean between 1 and 5', () => {
		fc.assert(
			fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 200 }), (votes) => {
				const mean = tally(scale, votes).scale?.mean;
				expect(mean).toBeGreaterThanOrEqual(1);
				expect(mean).toBeLessThanOrEqual(5);
			}),
		);
	});
});

describe('standing', () => {
	it('is a lead only for a choice alone at the top', () => {
		expect(standing({ counts: [2, 1, 0] })).toEqual({ kind: 'lead', choice: 0, count: 2 });
		expect(standing({ counts: [0, 3, 3] })).toEqual({ kind: 'tie', choices: [1, 2], count: 3 });
		expect(standing({ counts: [1, 1] })).toEqual({ kind: 'tie', choices: [0, 1], count: 1 });
		expect(standing({ counts: [0, 0] })).toEqual({ kind: 'no-votes' });
		expect(standing({ counts: [] })).toEqual({ kind: 'no-votes' });
	});
});

describe('turnout', () => {
	it('counts voters against the approximate member count, rounded', () => {
		expect(turnout(3, 40, true)).toEqual({ voters: 3, members: 40, percent: 8 });
		expect(turnout(0, 40, true)).toEqual({ voters: 0, members: 40, percent: 0 });
	});

	it('is never above 100%: a lagging member count is raised to the number of voters', () => {
		expect(turnout(3, 2, true)).toEqual({ voters: 3, members: 3, percent: 100 });
		fc.assert(
			fc.property(fc.nat(100_000), fc.nat(100_000), (voters, members) => {
				const result = turnout(voters, members, true);
				if (result.percent !== null) {
					expect(result.percent).toBeGreaterThanOrEqual(0);
					expect(result.percent).toBeLessThanOrEqual(100);
					expect(result.members).toBeGreaterThanOrEqual(voters);
				}
			}),
		);
	});

	it('has no denominator when the member count is unknown or a voter role limits who may vote', () => {
		expect(turnout(3, null, true)).toEqual({ voters: 3, members: null, percent: null });
		expect(turnout(3, 0, true)).toEqual({ voters: 3, members: null, percent: null });
		expect(turnout(3, 40, false)).toEqual({ voters: 3, members: null, percent: null });
	});
});

describe('liveCardRefreshMs', () => {
	it('refreshes within 5 seconds for the first hour, then backs off, for the whole life of a poll', () => {
		expect(liveCardRefreshMs(0)).toBe(5_000);
		expect(liveCardRefreshMs(HOUR - 1)).toBe(5_000);
		expect(liveCardRefreshMs(HOUR)).toBe(MINUTE);
		expect(liveCardRefreshMs(6 * HOUR)).toBe(5 * MINUTE);
		expect(liveCardRefreshMs(DAY)).toBe(15 * MINUTE);
		expect(liveCardRefreshMs(32 * DAY)).toBe(15 * MINUTE);
		expect(liveCardRefreshMs(Number.NaN)).toBe(5_000);
	});

	it('never refreshes faster as a card ages', () => {
		const steps = LIVE_CARD_REFRESH.map((step) => step.everyMs);
		expect(steps).toEqual([...steps].sort((a, b) => a - b));
	});
});

describe('voteDecision', () => {
	const vote = (choice: number, previousChoice: number | null, extra: { now?: number; roles?: string[] } = {}) => ({
		now: extra.now ?? NOW,
		choice,
		previousChoice,
		memberRoleIds: extra.roles ?? [],
	});
	const closedText = (at: number) => ({ kind: 'refused', reason: `This poll closed at ${stamp(at, 'f')}.` });

	it.each([
		['a first vote is recorded', makePoll(), vote(1, null), { kind: 'record', changed: false }],
		['clicking the recorded choice again changes nothing', makePoll(), vote(1, 1), { kind: 'same' }],
		['a different choice replaces the vote', makePoll(), vote(0, 1), { kind: 'record', changed: true }],
		[
			'a vote one millisecond before the deadline counts',
			makePoll(),
			vote(0, null, { now: DEADLINE - 1 }),
			{ kind: 'record', changed: false },
		],
		[
			'at the deadline the poll is closed, even before the close is processed',
			makePoll(),
			vote(0, null, { now: DEADLINE }),
			closedText(DEADLINE),
		],
		[
			'after the deadline it is closed at the deadline',
			makePoll(),
			vote(0, 1, { now: DEADLINE + HOUR }),
			closedText(DEADLINE),
		],
		[
			'a poll closed early by a moderator shows when',
			makePoll({ status: 'closed', closedAt: NOW - MINUTE, closedBy: 'moderator', closedByUserId: MODERATOR }),
			vote(0, null),
			closedText(NOW - MINUTE),
		],
		[
			'a poll closed late by the sweep shows its deadline',
			makePoll({ status: 'closed', closedAt: DEADLINE + HOUR, closedBy: 'deadline' }),
			vote(0, null, { now: DEADLINE + 2 * HOUR }),
			closedText(DEADLINE),
		],
		['a poll being closed takes no more votes', makePoll({ status: 'closing' }), vote(0, null), closedText(NOW)],
		[
			'a member without the voter role is refused',
			makePoll({ voterRoleId: VOTER_ROLE }),
			vote(0, null, { roles: ['1300000000000000009'] }),
			{ kind: 'refused', reason: `Only members with the <@&${VOTER_ROLE}> role can vote in this poll.` },
		],
		[
			'a member with the voter role votes',
			makePoll({ voterRoleId: VOTER_ROLE }),
			vote(0, null, { roles: ['1300000000000000009', VOTER_ROLE] }),
			{ kind: 'record', changed: false },
		],
		[
			'the @everyone role (id = guild id) lets every member vote',
			makePoll({ voterRoleId: GUILD }),
			vote(0, null),
			{ kind: 'record', changed: false },
		],
		[
			'a closed poll says it is closed before asking for a role',
			makePoll({ voterRoleId: VOTER_ROLE }),
			vote(0, null, { now: DEADLINE }),
			closedText(DEADLINE),
		],
		[
			'a choice past the end is refused',
			makePoll(),
			vote(3, null),
			{ kind: 'refused', reason: 'That choice no longer exists on this poll.' },
		],
		[
			'a negative choice is refused',
			makePoll(),
			vote(-1, 0),
			{ kind: 'refused', reason: 'That choice no longer exists on this poll.' },
		],
		[
			'a fractional choice is refused',
			makePoll(),
			vote(0.5, 0),
			{ kind: 'refused', reason: 'That choice no longer exists on this poll.' },
		],
		['a stored vote for a removed choice can be replaced', makePoll(), vote(2, 7), { kind: 'record', changed: true }],
	])('%s', (_name, poll, input, expected) => {
		expect(voteDecision(poll, input)).toEqual(expected);
	});
});

describe('receiptText', () => {
	const until = `you can change it until ${stamp(DEADLINE, 'f')}.`;

	it.each([
		['a first vote', 1, null, `Recorded: Compromise — ${until}`],
		['a changed vote', 1, 0, `Changed your vote from Pressure to Compromise — ${until}`],
		['a repeated click', 1, 1, `Your vote is already recorded: Compromise — ${until}`],
	])('confirms %s', (_name, choice, changedFrom, text) => {
		expect(receiptText(makePoll(), choice, changedFrom)).toBe(text);
	});

	it('says results stay hidden when the poll hides them', () => {
		expect(receiptText(makePoll({ hideResults: true }), 0, null)).toBe(
			`Recorded: Pressure — ${until} Results stay hidden until the poll closes.`,
		);
	});

	it('shows custom labels as typed, not as markdown', () => {
		const poll = makePoll({ style: 'custom', choices: ['**All** sanctions_relief', 'No'] });
		expect(receiptText(poll, 0, null)).toBe(`Recorded: \\*\\*All\\*\\* sanctions\\_relief — ${until}`);
	});
});

describe('closeDecision', () => {
	const starter: CloseBy = { userId: STARTER, isModerator: false };
	const moderator: CloseBy = { userId: MODERATOR, isModerator: true };
	const member: CloseBy = { userId: MEMBER, isModerator: false };
	const closed = makePoll({
		status: 'closed',
		closedAt: NOW - MINUTE,
		closedBy: 'moderator',
		closedByUserId: MODERATOR,
	});

	it.each([
		['the deadline, once passed', makePoll(), DEADLINE, 'deadline', { kind: 'close' }],
		['the deadline, long after (the bot was down)', makePoll(), DEADLINE + 3 * DAY, 'deadline', { kind: 'close' }],
		[
			'the deadline, early (timer fired in steps)',
			makePoll(),
			DEADLINE - 1,
			'deadline',
			{ kind: 'refused', reason: `This poll is open until ${stamp(DEADLINE, 'f')}.` },
		],
		[
			'the deadline, finishing an interrupted close',
			makePoll({ status: 'closing' }),
			NOW,
			'deadline',
			{ kind: 'close' },
		],
		['the starter, early', makePoll(), NOW, starter, { kind: 'close' }],
		['a moderator, early', makePoll(), NOW, moderator, { kind: 'close' }],
		[
			'another member',
			makePoll(),
			NOW,
			member,
			{ kind: 'refused', reason: 'Only the member who started this poll or a moderator can close it.' },
		],
		['a moderator, on a closed poll', closed, NOW, moderator, { kind: 'already-closed', closedAt: NOW - MINUTE }],
		[
			'the deadline, on a closed poll',
			closed,
			DEADLINE,
			'deadline',
			{ kind: 'already-closed', closedAt: NOW - MINUTE },
		],
		['another member, on a closed poll', closed, NOW, member, { kind: 'already-closed', closedAt: NOW - MINUTE }],
	] as const)('%s', (_name, poll, now, by, expected) => {
		expect(closeDecision(poll, now, by)).toEqual(expected);
	});
});

describe('closedRecord and closingRecord', () => {
	const moderator: CloseBy = { userId: MODERATOR, isModerator: true };

	it('records an early close by a moderator with the final counts', () => {
		const record = closedRecord(makePoll(), NOW, moderator, [4, 2, 1]);
		expect(record).toMatchObject({
			status: 'closed',
			closedAt: NOW,
			closedBy: 'moderator',
			closedByUserId: MODERATOR,
			finalCounts: [4, 2, 1],
		});
		expect(PollRecord.parse(record)).toEqual(record);
	});

	it('records a late close as closed at the deadline, by the deadline', () => {
		expect(closedRecord(makePoll(), DEADLINE + 2 * HOUR, 'deadline', [1, 0, 0])).toMatchObject({
			status: 'closed',
			closedAt: DEADLINE,
			closedBy: 'deadline',
			closedByUserId: null,
		});
		expect(closedRecord(makePoll(), DEADLINE + MINUTE, moderator, [1, 0, 0])).toMatchObject({
			closedAt: DEADLINE,
			closedBy: 'deadline',
			closedByUserId: null,
		});
	});

	it('never rewrites the result of a closed poll', () => {
		const first = closedRecord(makePoll(), NOW, moderator, [4, 2, 1]);
		const second = closedRecord(first, DEADLINE + DAY, 'deadline', [9, 9, 9]);
		expect(second).toEqual(first);
	});

	it('keeps the moment the close was decided when an interrupted close is finished', () => {
		const closing = closingRecord(makePoll(), NOW, moderator);
		expect(closing).toMatchObject({ status: 'closing', closedAt: NOW, closedBy: 'moderator', finalCounts: null });
		expect(voteDecision(closing, { now: NOW + 1, choice: 0, previousChoice: null, memberRoleIds: [] })).toEqual({
			kind: 'refused',
			reason: `This poll closed at ${stamp(NOW, 'f')}.`,
		});
		expect(closedRecord(closing, NOW + DAY + HOUR, 'deadline', [1, 1, 1])).toMatchObject({
			status: 'closed',
			closedAt: NOW,
			closedBy: 'moderator',
			closedByUserId: MODERATOR,
			finalCounts: [1, 1, 1],
		});
	});

	it('stores one valid count per choice whatever counts it is given', () => {
		expect(closedRecord(makePoll(), NOW, moderator, [3]).finalCounts).toEqual([3, 0, 0]);
		expect(closedRecord(makePoll(), NOW, moderator, [-1, 2.5, Number.NaN, 7]).finalCounts).toEqual([0, 0, 0]);
	});
});

describe('nextWakeDelay', () => {
	it.each([
		['an hour ahead', NOW + HOUR, HOUR],
		['due now', NOW, 0],
		['overdue', NOW - DAY, 0],
		['just under the timer limit', NOW + MAX_TIMER_MS, MAX_TIMER_MS],
		['32 days ahead, beyond the timer limit', NOW + 32 * DAY, MAX_TIMER_MS],
		['an invalid deadline', Number.NaN, MAX_TIMER_MS],
	])('%s', (_name, deadline, delay) => {
		expect(nextWakeDelay(deadline, NOW)).toBe(delay);
	});

	it('is the time left, capped at what setTimeout can wait', () => {
		expect(MAX_TIMER_MS).toBe(2_147_483_647);
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 2 ** 45 }), fc.integer({ min: -40 * DAY, max: 40 * DAY }), (now, ahead) => {
				const delay = nextWakeDelay(now + ahead, now);
				expect(delay).toBe(Math.min(MAX_TIMER_MS, Math.max(0, ahead)));
			}),
		);
	});
});

describe('pollSummaryLine', () => {
	it.each([
		[0, 'no votes yet'],
		[1, '1 vote'],
		[12, '12 votes'],
		[1234, '1,234 votes'],
	])('shows %i votes as %j', (total, text) => {
		expect(pollSummaryLine(makePoll({ question: 'Freeze first?' }), total, NOW)).toBe(
			`**Freeze first?** — ${text} — closes ${stamp(DEADLINE, 'R')}`,
		);
	});

	it('says when a poll closed', () => {
		const early = makePoll({ question: 'Q?', status: 'closed', closedAt: NOW - HOUR, closedBy: 'moderator' });
		expect(pollSummaryLine(early, 3, NOW)).toBe(`**Q?** — 3 votes — closed ${stamp(NOW - HOUR, 'R')}`);
		expect(pollSummaryLine(makePoll({ question: 'Q?' }), 3, DEADLINE + HOUR)).toBe(
			`**Q?** — 3 votes — closed ${stamp(DEADLINE, 'R')}`,
		);
	});

	it('clips a long question to 80 characters and shows markdown as typed', () => {
		const line = pollSummaryLine(makePoll({ question: `*Sanctions* ${'relief '.repeat(40)}` }), 0, NOW);
		const question = /^\*\*(.*)\*\* — /.exec(line)?.[1] ?? '';
		expect(question.startsWith('\\*Sanctions\\* relief')).toBe(true);
		expect(question.endsWith('…')).toBe(true);
		expect(question.replaceAll('\\', '').length).toBeLessThanOrEqual(80);
	});
});

describe('newPollId and stored records', () => {
	it('turns a snowflake into a short base-36 id that fits a custom_id', () => {
		expect(newPollId('1440000000000001234')).toBe(1440000000000001234n.toString(36));
		const largest = newPollId('18446744073709551615');
		expect(largest).toBe('3w5e11264sgsf');
		expect(PollId.safeParse(largest).success).toBe(true);
	});

	it.each(['', 'abc', '-1', '1e9', '123456789012345678901'])('refuses %j, which is not a snowflake', (value) => {
		expect(() => newPollId(value)).toThrow(TypeError);
	});

	it('rejects stored records that break the limits', () => {
		expect(PollRecord.safeParse({ ...makePoll(), question: 'a'.repeat(301) }).success).toBe(false);
		expect(PollRecord.safeParse({ ...makePoll(), choices: ['Only one'] }).success).toBe(false);
		expect(PollRecord.safeParse({ ...makePoll(), schemaVersion: 3 }).success).toBe(false);
		expect(PollRecord.safeParse({ ...makePoll(), schemaVersion: 2 }).success).toBe(true);
		expect(PollRecord.safeParse({ ...makePoll(), id: 'has:colon' }).success).toBe(false);
		expect(VoteRecord.safeParse({ schemaVersion: 1, choice: 9, at: NOW }).success).toBe(true);
		expect(VoteRecord.safeParse({ schemaVersion: 1, choice: 10, at: NOW }).success).toBe(false);
	});
});
