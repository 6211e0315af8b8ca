import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	buildPollChartSvg,
	type PollChartInput,
	renderPollChartPng,
	wholePercentages,
} from '../../src/render/poll-chart.js';
import { ELLIPSIS, svgToPng } from '../../src/render/svg.js';
import { PNG_SIGNATURE, pngSize, textsOf, viewBoxOf, withoutText } from './svg-inspect.js';

const SCALE_POLL: PollChartInput = {
	question: 'After Hanoi, should Washington keep maximum pressure or move toward a step-by-step compromise?',
	choices: [
		{ label: 'Maximum pressure', count: 9 },
		{ label: 'Mostly pressure', count: 14 },
		{ label: 'Balanced', count: 21 },
		{ label: 'Mostly compromise', count: 31 },
		{ label: 'Full compromise', count: 12 },
	],
	totalVotes: 87,
	closedAt: 'Closed 22 Nov 2026 14:00 UTC',
	scale: { mean: 3.36, minLabel: 'Maximum pressure', maxLabel: 'Full compromise' },
	footer: 'Linked deal: Leap Day Deal (2012)',
};

// Eighty characters each, the longest label a poll accepts.
const LONG_LABELS = Array.from({ length: 10 }, (_, index) =>
	`${index + 1}. Freeze plutonium reprocessing and uranium enrichment at Yongbyon under IAEA seals`.slice(0, 80),
);

function allText(svg: string): string {
	return textsOf(svg)
		.map((text) => text.text)
		.join(' ');
}

function expectInside(svg: string): void {
	const { width } = viewBoxOf(svg);
	for (const text of textsOf(svg)) {
		expect(text.left, text.text).toBeGreaterThanOrEqual(20);
		expect(text.right, text.text).toBeLessThanOrEqual(width - 20);
	}
}

describe('renderPollChartPng', () => {
	it('renders a 1200 px wide PNG as tall as the layout', () => {
		const png = renderPollChartPng(SCALE_POLL);
		expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
		const { height } = viewBoxOf(buildPollChartSvg(SCALE_POLL));
		expect(pngSize(png)).toEqual({ width: 1200, height: height * 2 });
	});

	it('gives byte-identical output for the same results', () => {
		expect(renderPollChartPng(SCALE_POLL).equals(renderPollChartPng({ ...SCALE_POLL }))).toBe(true);
	});

	it('actually draws its text with the bundled font', () => {
		const svg = buildPollChartSvg(SCALE_POLL);
		expect(svgToPng(svg).length).toBeGreaterThan(svgToPng(withoutText(svg)).length * 1.3);
	});

	it('renders emoji, Hangul and other glyphs Inter lacks without failing', () => {
		const png = renderPollChartPng({ ...SCALE_POLL, question: '북한 🇰🇵 talks? 🤔 👨‍👩‍👧 ∰ \u{10FFFD}' });
		expect(pngSize(png).width).toBe(1200);
	});
});

describe('buildPollChartSvg', () => {
	it('shows each choice with its count and percentage, and the totals', () => {
		const text = allText(buildPollChartSvg(SCALE_POLL));
		for (const choice of SCALE_POLL.choices) expect(text).toContain(choice.label);
		for (const value of ['9 votes', '14 votes', '21 votes', '31 votes', '12 votes']) expect(text).toContain(value);
		for (const value of ['10%', '16%', '24%', '36%', '14%']) expect(text).toContain(value);
		expect(text).toContain('87 votes cast');
		expect(text).toContain('Closed 22 Nov 2026 14:00 UTC');
		expect(text).toContain('Linked deal: Leap Day Deal (2012)');
	});

	it('shows the mean of a scale poll with both ends named', () => {
		expect(allText(buildPollChartSvg(SCALE_POLL))).toContain('Mean 3.4 on 1 = Maximum pressure … 5 = Full compromise');
		expect(allText(buildPollChartSvg({ ...SCALE_POLL, scale: null }))).not.toContain('Mean');
	});

	it('escapes markup in the question and choices', () => {
		const svg = buildPollChartSvg({
			...SCALE_POLL,
			question: `<script>alert("x")</script> & 'more'`,
			choices: [{ label: '<b>yes</b> & "no"', count: 1 }],
			totalVotes: 1,
		});
		expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;more&apos;');
		expect(svg).toContain('&lt;b&gt;yes&lt;/b&gt; &amp; &quot;no&quot;');
		expect(svg).not.toContain('<script');
		expect(svg).not.toContain('<b>');
		expect(() => svgToPng(svg)).not.toThrow();
	});

	it('strips control characters that would make the SVG invalid', () => {
		const svg = buildPollChartSvg({ ...SCALE_POLL, question: 'Freeze\u0000 or\u0008 not\u001b?' });
		expect(allText(svg)).toContain('Freeze or not?');
		expect(() => svgToPng(svg)).not.toThrow();
	});

	it('cuts a 1,000-character question to three lines ending in an ellipsis', () => {
		const svg = buildPollChartSvg({
			...SCALE_POLL,
			question: 'Should the freeze come first? '.repeat(34).slice(0, 1000),
		});
		const questionLines = textsOf(svg).filter((text) => text.size === 18);
		expect(questionLines).toHaveLength(3);
		expect(questionLines.at(-1)?.text.endsWith(ELLIPSIS)).toBe(true);
		expectInside(svg);
	});

	it('fits ten choices with 80-character labels inside the image, labels shown in full', () => {
		const input: PollChartInput = {
			...SCALE_POLL,
			choices: LONG_LABELS.map((label, index) => ({ label, count: 1000 * index })),
			totalVotes: 45_000,
			scale: null,
		};
		const svg = buildPollChartSvg(input);
		expectInside(svg);
		const text = allText(svg);
		for (const label of LONG_LABELS) expect(text).toContain(label);
		expect(text).toContain('9,000 votes');
	});

	it('keeps an unbreakable 80-character label inside the image', () => {
		const svg = buildPollChartSvg({ ...SCALE_POLL, choices: [{ label: 'W'.repeat(80), count: 3 }], totalVotes: 3 });
		expectInside(svg);
	});

	it('says "No votes" instead of percentages when nobody voted', () => {
		const svg = buildPollChartSvg({
			...SCALE_POLL,
			choices: SCALE_POLL.choices.map((choice) => ({ ...choice, count: 0 })),
			totalVotes: 0,
		});
		const text = allText(svg);
		expect(text).toContain('No votes');
		expect(text).not.toMatch(/NaN|Infinity|%/);
		expect(text).not.toContain('Mean');
	});

	it('marks a share that rounds to zero as under 1%', () => {
		const text = allText(
			buildPollChartSvg({
				...SCALE_POLL,
				choices: [
					{ label: 'Few', count: 1 },
					{ label: 'Many', count: 499 },
				],
				totalVotes: 500,
				scale: null,
			}),
		);
		expect(text).toContain('<1%');
		expect(text).toContain('100%');
	});
});

describe('a tied result on the chart', () => {
	const tie = (counts: number[]): PollChartInput => ({
		question: 'Pressure or compromise?',
		choices: counts.map((count, index) => ({ label: ['Pressure', 'Compromise', 'Undecided'][index] ?? '?', count })),
		totalVotes: counts.reduce((sum, count) => sum + count, 0),
		closedAt: 'Closed 22 Nov 2026 14:00 UTC',
	});

	it('says a 1–1 tie plainly and shows both at 50%', () => {
		const text = allText(buildPollChartSvg(tie([1, 1])));
		expect(text).toContain('Tied: Pressure and Compromise, 1 vote each');
		expect(text.match(/50%/g)).toHaveLength(2);
	});

	it('never ranks a three-way tie by rounding (33% each, no 34%)', () => {
		const text = allText(buildPollChartSvg(tie([2, 2, 2])));
		expect(text).not.toContain('34%');
		expect(text.match(/33%/g)).toHaveLength(3);
		expect(text).toContain('Tied: Pressure, Compromise and Undecided, 2 votes each');
	});

	it('says nothing of a tie when one choice leads', () => {
		expect(allText(buildPollChartSvg(tie([2, 1, 1])))).not.toContain('Tied');
	});
});

describe('wholePercentages', () => {
	it.each([
		{ counts: [1, 1, 1], total: 3, expected: [33, 33, 33] },
		{ counts: [2, 1, 1], total: 4, expected: [50, 25, 25] },
		{ counts: [1, 1, 1, 3], total: 6, expected: [16, 16, 16, 50] },
		{ counts: [1, 2], total: 3, expected: [33, 67] },
		{ counts: [2, 1], total: 3, expected: [67, 33] },
		{ counts: [0, 0], total: 0, expected: [0, 0] },
		{ counts: [1, 1], total: 4, expected: [25, 25] },
	])('$counts of $total → $expected', ({ counts, total, expected }) => {
		expect(wholePercentages(counts, total)).toEqual(expected);
	});

	it('shows equal counts alike, never ranks a smaller count higher, and adds up to 100 unless a tie forbids it', () => {
		fc.assert(
			fc.property(fc.array(fc.nat(30), { minLength: 1, maxLength: 10 }), (counts) => {
				const total = counts.reduce((sum, count) => sum + count, 0);
				fc.pre(total > 0);
				const shares = wholePercentages(counts, total);
				shares.forEach((share, index) => {
					const count = counts[index] ?? 0;
					expect(Math.abs(share - (count / total) * 100)).toBeLessThan(1);
					counts.forEach((other, otherIndex) => {
						if (other === count) expect(shares[otherIndex]).toBe(share);
						if (other < count) expect(shares[otherIndex]).toBeLessThanOrEqual(share);
					});
				});
				// Short of 100 only by less than the largest group of equal counts.
				const largestGroup = Math.max(...counts.map((count) => counts.filter((other) => other === count).length));
				const sum = shares.reduce((acc, share) => acc + share, 0);
				expect(sum).toBeLessThanOrEqual(100);
				expect(sum).toBeGreaterThan(100 - largestGroup);
				if (new Set(counts).size === counts.length) expect(sum).toBe(100);
			}),
		);
	});
});
