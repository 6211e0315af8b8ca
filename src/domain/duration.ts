/**
 * Poll durations as moderators type them ("30m", "1h30m", "2 hours", "1.5h") and as the bot shows them
 * ("1 h 30 min").
 */

export type DurationResult =
	| { readonly ok: true; readonly ms: number }
	| { readonly ok: false; readonly reason: string };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** Shortest poll: one minute. */
export const MIN_DURATION_MS = MINUTE;
/** Longest poll: 32 days, the limit Discord's own polls use. */
export const MAX_DURATION_MS = 32 * DAY;

const HINT = 'Use a duration like 30m, 2h or 3d, between 1 minute and 32 days.';
// Longer text is certainly not a duration, and quoting it back would flood the reply.
const MAX_INPUT_LENGTH = 60;
const MAX_QUOTE_LENGTH = 30;

const UNITS: ReadonlyMap<string, number> = new Map([
	['s', 1_000],
	['sec', 1_000],
	['secs', 1_000],
	['second', 1_000],
	['seconds', 1_000],
	['m', MINUTE],
	['min', MINUTE],
	['mins', MINUTE],
	['minute', MINUTE],
	['minutes', MINUTE],
	['h', HOUR],
	['hr', HOUR],
	['hrs', HOUR],
	['hour', HOUR],
	['hours', HOUR],
	['d', DAY],
	['day', DAY],
	['days', DAY],
	['w', WEEK],
	['wk', WEEK],
	['wks', WEEK],
	['week', WEEK],
	['weeks', WEEK],
]);

// One "<number><unit>" part; parts may be separated by spaces, commas or "and" ("1 hour and 30 minutes").
const PART = /\s*(?:(?:,|and)\s*)?(\d{1,6}(?:\.\d{1,3})?|\.\d{1,3})\s*([a-z]+)\s*/y;

function quote(text: string): string {
	const visible = text.replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Co}`*_~|\\]+/gu, '').trim();
	return visible.length > MAX_QUOTE_LENGTH ? `${visible.slice(0, MAX_QUOTE_LENGTH)}…` : visible;
}

/**
 * Reads a poll duration: number-and-unit parts in any case and spacing, summed ("1h30m", "1 h 30 min",
 * "90 minutes", "1.5h", "1 week"). Units: s, m/min, h/hr, d/day, w/week and their plurals. Accepted from
 * 1 minute to 32 days inclusive; every failure reason repeats the allowed range with examples.
 */
export function parseDuration(text: string): DurationResult {
	const input = String(text).normalize('NFKC').toLowerCase().trim();
	if (input === '') return { ok: false, reason: `No duration given. ${HINT}` };
	if (input.length > MAX_INPUT_LENGTH) return { ok: false, reason: `That is not a duration. ${HINT}` };
	if (input.startsWith('-')) return { ok: false, reason: `A duration cannot be negative. ${HINT}` };
	if (/^\d+(?:\.\d+)?$/.test(input)) {
		return { ok: false, reason: `"${quote(input)}" needs a unit (m, h or d). ${HINT}` };
	}
	let total = 0;
	let position = 0;
	while (position < input.length) {
		PART.lastIndex = position;
		const match = PART.exec(input);
		const unit = match ? UNITS.get(match[2] ?? '') : undefined;
		if (!match || unit === undefined) {
			return { ok: false, reason: `"${quote(input)}" is not a duration. ${HINT}` };
		}
		total += Number(match[1]) * unit;
		position = PART.lastIndex;
	}
	const ms = Math.round(total);
	if (ms < MIN_DURATION_MS) return { ok: false, reason: `"${quote(input)}" is too short. ${HINT}` };
	if (ms > MAX_DURATION_MS) return { ok: false, reason: `"${quote(input)}" is too long. ${HINT}` };
	return { ok: true, ms };
}

/**
 * A duration for people: days, hours, minutes and (only when present) seconds, largest first, zero parts
 * left out: "3 d", "1 h 30 min", "2 d 4 h 5 min", "45 s". Sub-second remainders are rounded off; zero,
 * negative or non-finite input gives "0 min". `parseDuration` reads this format back.
 */
export function formatDuration(ms: number): string {
	if (!Number.isFinite(ms) || ms <= 0) return '0 min';
	let seconds = Math.round(ms / 1_000);
	const days = Math.floor(seconds / 86_400);
	seconds -= days * 86_400;
	const hours = Math.floor(seconds / 3_600);
	seconds -= hours * 3_600;
	const minutes = Math.floor(seconds / 60);
	seconds -= minutes * 60;
	const parts: string[] = [];
	if (days > 0) parts.push(`${days} d`);
	if (hours > 0) parts.push(`${hours} h`);
	if (minutes > 0) parts.push(`${minutes} min`);
	if (seconds > 0) parts.push(`${seconds} s`);
	return parts.length > 0 ? parts.join(' ') : '0 min';
}
