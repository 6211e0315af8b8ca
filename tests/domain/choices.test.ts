import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseChoices } from '../../src/domain/choices.js';
import { normalize } from '../../src/domain/fuzzy.js';

describe('parseChoices', () => {
	it('splits on semicolons and line breaks and trims each choice', () => {
		expect(parseChoices(' Pressure ;Compromise;  Unsure ')).toEqual({
			ok: true,
			choices: ['Pressure', 'Compromise', 'Unsure'],
		});
		expect(parseChoices('Pressure\r\nCompromise\n\nUnsure;')).toEqual({
			ok: true,
			choices: ['Pressure', 'Compromise', 'Unsure'],
		});
	});

	it('keeps commas inside a choice', () => {
		expect(parseChoices('Yes, with conditions; No')).toEqual({ ok: true, choices: ['Yes, with conditions', 'No'] });
	});

	it('removes control and zero-width characters and collapses spacing', () => {
		expect(parseChoices('Ye\u200bs\u0007; N\to\u00a0 way')).toEqual({ ok: true, choices: ['Yes', 'N o way'] });
	});

	it('names the rule when there are too few or too many choices', () => {
		expect(parseChoices('Yes')).toEqual({ ok: false, reason: 'A custom poll needs 2 to 10 choices; you gave 1.' });
		expect(parseChoices('')).toMatchObject({ reason: expect.stringContaining('you gave 0') });
		expect(parseChoices('1;2;3;4;5;6;7;8;9;10;11')).toMatchObject({ reason: expect.stringContaining('you gave 11') });
		expect(parseChoices('1;2;3;4;5;6;7;8;9;10')).toMatchObject({ ok: true });
	});

	it('points out commas when they were probably meant as separators', () => {
		expect(parseChoices('Yes, No, Maybe')).toMatchObject({ reason: expect.stringContaining('semicolons') });
	});

	it('rejects a choice longer than a Discord button label', () => {
		expect(parseChoices(`${'a'.repeat(80)}; b`)).toMatchObject({ ok: true });
		expect(parseChoices(`${'a'.repeat(81)}; b`)).toMatchObject({
			ok: false,
			reason: expect.stringContaining('81 characters long; a choice can have at most 80'),
		});
	});

	it('rejects repeated choices, ignoring case and accents', () => {
		expect(parseChoices('Yes; No; yes')).toEqual({
			ok: false,
			reason: 'Choices must be different: "Yes" and "yes" count as the same choice.',
		});
		expect(parseChoices('Yes; No; Yes')).toEqual({
			ok: false,
			reason: 'Choices must be different: "Yes" appears twice.',
		});
		expect(parseChoices('Café; cafe')).toMatchObject({ ok: false });
	});

	it('rejects a choice made only of invisible characters', () => {
		expect(parseChoices('A; \u200b\u200d ;B')).toMatchObject({
			ok: false,
			reason: expect.stringContaining('Choice 2 is empty'),
		});
	});

	it('never throws; accepted choices are 2–10 distinct, visible labels of at most 80 characters', () => {
		const choiceish = fc
			.array(fc.oneof(fc.string({ maxLength: 90 }), fc.constantFrom('Yes', 'yes', '\u200b', ' ')), { maxLength: 12 })
			.map((parts) => parts.join(';'));
		fc.assert(
			fc.property(fc.oneof(choiceish, fc.string(), fc.string({ unit: 'binary' })), (text) => {
				const result = parseChoices(text);
				if (!result.ok) {
					expect(result.reason.length).toBeGreaterThan(0);
					return;
				}
				expect(result.choices.length).toBeGreaterThanOrEqual(2);
				expect(result.choices.length).toBeLessThanOrEqual(10);
				for (const choice of result.choices) {
					expect(choice.length).toBeGreaterThanOrEqual(1);
					expect(choice.length).toBeLessThanOrEqual(80);
					expect(choice).not.toMatch(/[\p{Cc}\p{Cf}]|^\s|\s$/u);
				}
				const keys = result.choices.map((choice) => normalize(choice) || choice.toLowerCase());
				expect(new Set(keys).size).toBe(keys.length);
			}),
		);
	});
});
