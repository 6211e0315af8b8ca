/** Small text helpers for what Parley shows in Discord. */

import { MONTH_NAMES as MONTHS } from '../domain/deal-lookup.js';

/** "2012-02-29" → "29 February 2012" (no time zone involved: these are calendar dates). */
export function formatDate(iso: string): string {
	const [year, month, day] = iso.split('-').map(Number);
	return `${day} ${MONTHS[(month ?? 1) - 1] ?? ''} ${year}`;
}

/** "2012-02-29" → "29 Feb 2012". */
export function formatShortDate(iso: string): string {
	const [year, month, day] = iso.split('-').map(Number);
	return `${day} ${(MONTHS[(month ?? 1) - 1] ?? '').slice(0, 3)} ${year}`;
}

export function yearOf(iso: string): string {
	return iso.slice(0, 4);
}

/**
 * Shortens text to `max` characters at a word boundary and says so with "…". Used only where the full text is
 * one click away, so nothing is lost silently.
 */
export function clip(text: string, max: number): string {
	if (text.length <= max) return text;
	const cut = text.slice(0, max - 1);
	const boundary = cut.lastIndexOf(' ');
	return `${(boundary > max * 0.6 ? cut.slice(0, boundary) : cut).trimEnd()}…`;
}

/**
 * Breaks every mention in text (@everyone, @here, <@user>, <@&role>, <#channel>) with a zero-width space, so it
 * reads the same but cannot mention anyone even if `allowed_mentions` were ever missing. For text that is not
 * Parley's own markup (Parley's own mentions, like a poll's voter role, must not pass through here).
 */
export function neutraliseMentions(text: string): string {
	return text.replace(/@/g, '@\u200b').replace(/<(?=[@#:&!])/g, '<\u200b');
}

/** Neutralises markdown and mentions in text a member typed before Parley echoes it back. */
export function quoteUserText(text: string, max = 80): string {
	const cleaned = text
		// Control and format characters (zero-width, bidi overrides) can hide or reorder text.
		.replace(/[\p{Cc}\p{Cf}]/gu, '')
		.replace(/([\\`*_~|>[\]])/g, '\\$1')
		.replace(/^([#-])/gm, '\\$1');
	return clip(neutraliseMentions(cleaned), max);
}

export const PARTY_NAMES: Readonly<Record<string, string>> = {
	US: 'United States',
	DPRK: 'North Korea',
	ROK: 'South Korea',
	China: 'China',
	Japan: 'Japan',
	Russia: 'Russia',
};

export function partyName(code: string): string {
	return PARTY_NAMES[code] ?? code;
}
