import type { PollRecord } from '../../src/domain/poll.js';

/**
 * A stored poll record for store tests: an open, anonymous pressure-or-compromise poll in schema 1 (the layout before
 * votes were hashed), one hour long from time 0. Override what a test is about.
 */
export function storedPoll(id: string, overrides: Partial<PollRecord> = {}): PollRecord {
	return {
		schemaVersion: 1,
		id,
		guildId: '1440000000000000001',
		channelId: '1440000000000000002',
		messageId: '1440000000000000003',
		starterId: '1440000000000000004',
		question: 'Pressure or compromise?',
		style: 'pressure-compromise',
		choices: ['Pressure', 'Compromise', 'Undecided'],
		createdAt: 0,
		deadline: 3_600_000,
		anonymous: true,
		hideResults: false,
		voterRoleId: null,
		dealId: null,
		status: 'open',
		closedAt: null,
		closedBy: null,
		closedByUserId: null,
		finalCounts: null,
		...overrides,
	};
}
