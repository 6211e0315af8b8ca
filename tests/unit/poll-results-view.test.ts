import { describe, expect, it } from 'vitest';
import { renderPollResults } from '../../src/discord/views/poll.js';
import { type PollRecord, tallyFromCounts } from '../../src/domain/poll.js';
import { checkMessageLimits } from '../../src/local/standin/limits.js';
import { VOTERS_SHOWN_PER_CHOICE } from '../../src/polls/results.js';

const choices = Array.from({ length: 10 }, (_, index) => `Choice number ${index + 1}`);
const poll: PollRecord = {
	schemaVersion: 1,
	id: 'bigpoll',
	guildId: '1440000000000000001',
	channelId: '1440000000000000002',
	messageId: '1440000000000000003',
	starterId: '1440000000000000004',
	question: 'Which first step?',
	style: 'custom',
	choices,
	createdAt: 0,
	deadline: 3_600_000,
	anonymous: false,
	hideResults: false,
	voterRoleId: null,
	dealId: null,
	status: 'closed',
	closedAt: 3_600_000,
	closedBy: 'deadline',
	closedByUserId: null,
	finalCounts: choices.map(() => 1_000),
};

describe('the Results answer with voters (moderators, non-anonymous poll)', () => {
	it('fits Discord’s embed limits with 10 choices of 1,000 voters each, and counts those it cannot list', () => {
		const voters = new Map(
			choices.map((_, choice) => [
				choice,
				Array.from(
					{ length: VOTERS_SHOWN_PER_CHOICE },
					(_, index) => `14400000000${String(choice * 100 + index).padStart(8, '0')}`,
				),
			]),
		);
		const message = renderPollResults(poll, {
			tally: tallyFromCounts(poll, poll.finalCounts ?? []),
			now: 4_000_000,
			deal: null,
			memberCount: null,
			voters,
		});
		expect(checkMessageLimits({ embeds: message.embeds, content: '' })).toEqual([]);
		const fields = message.embeds[0]?.fields?.filter((field) => field.name.startsWith('Voted')) ?? [];
		expect(fields).toHaveLength(10);
		for (const field of fields) {
			expect(field.name).toMatch(/^Voted Choice number \d+ \(1,000\)$/);
			const listed = field.value.match(/<@\d+>/g)?.length ?? 0;
			expect(listed).toBeGreaterThan(0);
			expect(field.value).toContain(` and ${(1_000 - listed).toLocaleString('en-US')} more`);
		}
	});

	it('lists every voter when they all fit, with no "more"', () => {
		const small = { ...poll, choices: ['Yes', 'No'], style: 'yes-no' as const, finalCounts: [2, 1] };
		const message = renderPollResults(small, {
			tally: tallyFromCounts(small, [2, 1]),
			now: 4_000_000,
			deal: null,
			memberCount: null,
			voters: new Map([
				[0, ['1440000000000000011', '1440000000000000012']],
				[1, ['1440000000000000013']],
			]),
		});
		const text = JSON.stringify(message.embeds);
		expect(text).toContain('Voted Yes (2)');
		expect(text).toContain('<@1440000000000000011> <@1440000000000000012>');
		expect(text).not.toContain('more');
		expect(message.allowedMentions).toEqual({ parse: [] });
	});
});
