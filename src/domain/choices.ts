/**
 * Options of a custom poll, typed by a moderator as one text: "Yes; No; Abstain" or one choice per line.
 * Commas are not separators, because a choice may contain one ("Yes, with conditions").
 */
import { normalize } from './fuzzy.js';

export type ChoicesResult =
	| { readonly ok: true; readonly choices: readonly string[] }
	| { readonly ok: false; readonly reason: string };

export const MIN_CHOICES = 2;
export const MAX_CHOICES = 10;
/** Discord rejects button labels longer than 80 characters. */
export const MAX_CHOICE_LENGTH = 80;

const SEPARATORS = /[;\n\r\u2028\u2029]+/u;
const QUOTE_LENGTH = 40;

/** Tabs and other spacing become one space; control and invisible (zero-width, format) characters go. */
function clean(piece: string): string {
	return piece
		.replace(/[\t\v\f\u0085\p{Z}]+/gu, ' ')
		.replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Co}]+/gu, '')
		.replace(/ {2,}/g, ' ')
		.trim();
}

function quote(choice: string): string {
	return choice.length > QUOTE_LENGTH ? `${choice.slice(0, QUOTE_LENGTH)}…` : choice;
}

function times(count: number): string {
	return count === 2 ? 'twice' : `${count} times`;
}

/**
 * Splits and checks custom poll choices: separated by semicolons or line breaks, trimmed, blank pieces
 * (from a trailing ";" or an empty line) ignored. Rules, checked in this order, each failure naming the rule:
 * no choice may be empty once control and zero-width characters are removed; 2 to 10 choices; each at most
 * 80 characters (counted in UTF-16 units, the stricter way to count); no two equal after `normalize`
 * (so case, accents and punctuation do not make choices different). Never throws.
 */
export function parseChoices(text: string): ChoicesResult {
	const pieces = String(text)
		.split(SEPARATORS)
		.filter((piece) => piece.trim() !== '');
	const choices: string[] = [];
	for (const [position, piece] of pieces.entries()) {
		const choice = clean(piece);
		if (choice === '') {
			return {
				ok: false,
				reason: `Choice ${position + 1} is empty once invisible characters are removed; give it some text.`,
			};
		}
		choices.push(choice);
	}
	if (choices.length < MIN_CHOICES || choices.length > MAX_CHOICES) {
		const hint =
			choices.length === 1 && choices[0]?.includes(',') ? ' Separate choices with semicolons (;), not commas.' : '';
		return {
			ok: false,
			reason: `A custom poll needs ${MIN_CHOICES} to ${MAX_CHOICES} choices; you gave ${choices.length}.${hint}`,
		};
	}
	for (const choice of choices) {
		if (choice.length > MAX_CHOICE_LENGTH) {
			return {
				ok: false,
				reason: `Choice "${quote(choice)}" is ${choice.length} characters long; a choice can have at most ${MAX_CHOICE_LENGTH}.`,
			};
		}
	}
	const groups = new Map<string, string[]>();
	for (const choice of choices) {
		// Choices made only of symbols normalize to nothing; compare those as typed (case-insensitively).
		const key = normalize(choice) || choice.toLowerCase();
		groups.set(key, [...(groups.get(key) ?? []), choice]);
	}
	for (const group of groups.values()) {
		const [first = '', second = ''] = group;
		if (group.length < 2) continue;
		const reason = group.every((choice) => choice === first)
			? `Choices must be different: "${quote(first)}" appears ${times(group.length)}.`
			: `Choices must be different: "${quote(first)}" and "${quote(second)}" count as the same choice.`;
		return { ok: false, reason };
	}
	return { ok: true, choices };
}
