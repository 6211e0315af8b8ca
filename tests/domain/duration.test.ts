import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, MAX_DURATION_MS, MIN_DURATION_MS, parseDuration } from '../../src/domain/duration.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const HINT = 'Use a duration like 30m, 2h or 3d, between 1 minute and 32 days.';

describe('parseDuration', () => {
	it.each([
		['30m', 30 * MINUTE],
		['2h', 2 * HOUR],
		['3d', 3 * DAY],
		['1w', 7 * DAY],
		['1h30m', 90 * MINUTE],
		['90 minutes', 90 * MINUTE],
		['2 hours', 2 * HOUR],
		['1.5h', 90 * MINUTE],
		['1 H 30 MIN', 90 * MINUTE],
		['1 hour and 30 minutes', 90 * MINUTE],
		['2d, 4h', 2 * DAY + 4 * HOUR],
		['1m', MINUTE],
		['32d', 32 * DAY],
		['60s', MINUTE],
	])('%j → %i ms', (text, ms) => {
		expect(parseDuration(text)).toEqual({ ok: true, ms });
	});

	it.each(['0m', '40d', 'soon', '', '   ', '-5m', '1e9h', '30', '32d 1m', '59s', '2 fortnights', 'h', '1h30'])(
		'%j is refused with the allowed range and examples',
		(text) => {
			const result = parseDuration(text);
			expect(result.ok).toBe(false);
			if (!result.ok) expect(result.reason).toContain(HINT);
		},
	);

	it('says why a duration was refused', () => {
		expect(parseDuration('40d')).toMatchObject({ reason: expect.stringContaining('too long') });
		expect(parseDuration('0m')).toMatchObject({ reason: expect.stringContaining('too short') });
		expect(parseDuration('-5m')).toMatchObject({ reason: expect.stringContaining('negative') });
		expect(parseDuration('30')).toMatchObject({ reason: expect.stringContaining('unit') });
	});

	it('never throws, and accepts only durations within 1 minute to 32 days', () => {
		const durationish = fc
			.array(
				fc.tuple(fc.float({ min: 0, max: 1e6, noNaN: true }), fc.constantFrom('m', 'h', 'd', 'w', 's', ' days', 'x')),
			)
			.map((parts) => parts.map(([value, unit]) => `${value}${unit}`).join(' '));
		fc.assert(
			fc.property(fc.oneof(durationish, fc.string(), fc.string({ unit: 'binary' })), (text) => {
				const result = parseDuration(text);
				if (result.ok) {
					expect(result.ms).toBeGreaterThanOrEqual(MIN_DURATION_MS);
					expect(result.ms).toBeLessThanOrEqual(MAX_DURATION_MS);
				} else {
					expect(result.reason).toContain(HINT);
				}
			}),
		);
	});
});

describe('formatDuration', () => {
	it.each([
		[90 * MINUTE, '1 h 30 min'],
		[3 * DAY, '3 d'],
		[2 * DAY + 4 * HOUR + 5 * MINUTE, '2 d 4 h 5 min'],
		[45_000, '45 s'],
		[MINUTE, '1 min'],
		[0, '0 min'],
		[-5, '0 min'],
		[Number.NaN, '0 min'],
	])('%i ms → %j', (ms, text) => {
		expect(formatDuration(ms)).toBe(text);
	});

	it('reads back as the same duration for every whole number of minutes in range', () => {
		fc.assert(
			fc.property(fc.integer({ min: 1, max: 32 * 24 * 60 }), (minutes) => {
				expect(parseDuration(formatDuration(minutes * MINUTE))).toEqual({ ok: true, ms: minutes * MINUTE });
			}),
		);
	});
});
