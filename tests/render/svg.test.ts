import { Resvg } from '@resvg/resvg-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	cleanText,
	ELLIPSIS,
	ellipsize,
	escapeXml,
	interFontPaths,
	measureText,
	type TextStyle,
	wrapText,
} from '../../src/render/svg.js';

const BODY: TextStyle = { size: 13, weight: 400 };

function inkRight(text: string, style: TextStyle): number {
	const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="60"><text x="0" y="40" font-family="Inter" font-size="${style.size}" font-weight="${style.weight}">${escapeXml(text)}</text></svg>`;
	const box = new Resvg(svg, { font: { loadSystemFonts: false, fontFiles: [...interFontPaths()] } }).getBBox();
	if (!box) throw new Error(`nothing drawn for ${text}`);
	return box.x + box.width;
}

describe('measureText', () => {
	it.each([
		{ text: 'Joint Declaration on Denuclearization of the Korean Peninsula', weight: 400 as const },
		{ text: 'WAVE Toyota AVA 1234567890 %', weight: 600 as const },
		{ text: 'MMMMWWWW iiiillll', weight: 700 as const },
		{ text: 'Ünïcödé façade — “quotes” …', weight: 400 as const },
	])('agrees with what resvg draws for "$text" ($weight)', ({ text, weight }) => {
		const style = { size: 20, weight };
		const measured = measureText(text, style);
		// Ink may overhang the last advance by a hair; it must never exceed it by more than 1%.
		expect(inkRight(text, style)).toBeLessThanOrEqual(measured * 1.01);
		expect(inkRight(text, style)).toBeGreaterThan(measured * 0.93);
	});

	it('gives characters Inter lacks a width instead of zero', () => {
		expect(measureText('😀', BODY)).toBeGreaterThan(0);
		expect(measureText('한국', BODY)).toBeGreaterThan(measureText('한', BODY));
	});
});

describe('escapeXml', () => {
	it('escapes all five XML special characters', () => {
		expect(escapeXml(`<script>&"'`)).toBe('&lt;script&gt;&amp;&quot;&apos;');
	});
});

describe('cleanText', () => {
	it.each([
		{ name: 'turns line breaks and tabs into single spaces', input: 'a\nb\r\n\tc', expected: 'a b c' },
		{
			name: 'drops control characters XML cannot carry',
			input: 'a\u0000b\u0007c\u001b[31md\u007f',
			expected: 'abc[31md',
		},
		{ name: 'drops bidi overrides', input: 'abc\u202edef\u2066', expected: 'abcdef' },
		{ name: 'replaces a lone surrogate', input: 'a\ud800b', expected: 'a\ufffdb' },
		{ name: 'keeps emoji whole', input: ' 👍🏽 ok ', expected: '👍🏽 ok' },
	])('$name', ({ input, expected }) => {
		expect(cleanText(input)).toBe(expected);
	});
});

describe('ellipsize', () => {
	it('leaves fitting text alone', () => {
		expect(ellipsize('Hanoi', 200, BODY)).toBe('Hanoi');
	});

	it('shortens with an ellipsis to the width', () => {
		const result = ellipsize('Joint Declaration on Denuclearization', 100, BODY);
		expect(result.endsWith(ELLIPSIS)).toBe(true);
		expect(measureText(result, BODY)).toBeLessThanOrEqual(100);
	});

	it('never splits an emoji sequence', () => {
		const result = ellipsize('👨‍👩‍👧‍👦'.repeat(20), 60, BODY);
		expect(result.replace(ELLIPSIS, '').length % '👨‍👩‍👧‍👦'.length).toBe(0);
	});
});

describe('wrapText', () => {
	it('wraps at word boundaries', () => {
		expect(wrapText('Freeze held 8 years; collapsed over enrichment in 2002', 150, BODY, 5)).toEqual([
			'Freeze held 8 years;',
			'collapsed over',
			'enrichment in 2002',
		]);
	});

	it('gives a narrower first line when asked', () => {
		const [first, second] = wrapText('Ended early with no agreement at all', [60, 400], BODY, 2);
		expect(measureText(first ?? '', BODY)).toBeLessThanOrEqual(60);
		expect(second).toBeDefined();
	});

	it('ends the last line with an ellipsis when the text does not fit', () => {
		const lines = wrapText('word '.repeat(200), 200, BODY, 3);
		expect(lines).toHaveLength(3);
		expect(lines[2]?.endsWith(ELLIPSIS)).toBe(true);
	});

	it('handles text far longer than any image shows', () => {
		const lines = wrapText('North Korea '.repeat(10_000), 300, BODY, 3);
		expect(lines).toHaveLength(3);
		expect(lines[2]?.endsWith(ELLIPSIS)).toBe(true);
		expect(ellipsize('👍🏽'.repeat(50_000), 100, BODY).endsWith(`👍🏽${ELLIPSIS}`)).toBe(true);
	});

	it('breaks a word longer than the line', () => {
		const lines = wrapText('x'.repeat(100), 120, BODY, 10);
		expect(lines.length).toBeGreaterThan(1);
		expect(lines.join('')).toBe('x'.repeat(100));
	});

	it('keeps every line within its width and loses no text except after the ellipsis', () => {
		const word = fc.stringMatching(/^[A-Za-z0-9<>&"'’—é👍]{1,30}$/u);
		fc.assert(
			fc.property(
				fc.array(word, { maxLength: 40 }),
				fc.integer({ min: 40, max: 500 }),
				fc.integer({ min: 1, max: 4 }),
				(words, width, maxLines) => {
					const text = words.join(' ');
					const lines = wrapText(text, width, BODY, maxLines);
					expect(lines.length).toBeLessThanOrEqual(maxLines);
					for (const line of lines) expect(measureText(line, BODY)).toBeLessThanOrEqual(width);
					const shown = lines.join('').replaceAll(' ', '');
					const original = text.replaceAll(' ', '');
					if (shown.endsWith(ELLIPSIS)) expect(original.startsWith(shown.slice(0, -1))).toBe(true);
					else expect(shown).toBe(original);
				},
			),
		);
	});
});
