import { wholePercentages } from '../domain/percentages.js';
import { standing } from '../domain/poll.js';
import {
	cleanText,
	ellipsize,
	measureText,
	num,
	svgDocument,
	svgText,
	svgToPng,
	type TextStyle,
	wrapText,
} from './svg.js';

/** What a closed poll's chart shows; counts are final. */
export interface PollChartInput {
	question: string;
	/** Up to 10 choices, labels up to 80 characters. */
	choices: readonly { label: string; count: number }[];
	totalVotes: number;
	/** Preformatted, e.g. "Closed 22 Nov 2026 14:00 UTC". */
	closedAt: string;
	/** For a scale poll (choices ordered from `minLabel` to `maxLabel`): the mean position, 1-based. */
	scale?: { mean: number; minLabel: string; maxLabel: string } | null;
	footer?: string;
}

export const POLL_CHART_WIDTH = 600;
export const POLL_CHART_SCALE = 2;

const COLOURS = {
	background: '#0f172a',
	text: '#f1f5f9',
	label: '#e2e8f0',
	muted: '#94a3b8',
	faint: '#64748b',
	track: '#1e293b',
	bar: '#64748b',
	leader: '#818cf8',
	accent: '#a5b4fc',
	rule: '#1e293b',
};

const PAD = 28;
const CONTENT = POLL_CHART_WIDTH - 2 * PAD;
const RIGHT = POLL_CHART_WIDTH - PAD;

const KICKER: TextStyle = { size: 10, weight: 700, letterSpacing: 1.2 };
const QUESTION: TextStyle = { size: 18, weight: 700 };
const LABEL: TextStyle = { size: 13, weight: 400 };
const LEADING_LABEL: TextStyle = { size: 13, weight: 600 };
const PERCENT: TextStyle = { size: 13, weight: 700 };
const COUNT: TextStyle = { size: 11.5, weight: 400 };
const SUMMARY: TextStyle = { size: 12, weight: 600 };
const DETAIL: TextStyle = { size: 12, weight: 400 };
const SCALE_TICK: TextStyle = { size: 10, weight: 600 };
const FOOTER: TextStyle = { size: 10.5, weight: 400 };

const QUESTION_LINE = 23.5;
const LABEL_LINE = 17;
const BAR_HEIGHT = 10;
const VALUE_GAP = 14;

const numberFormat = new Intl.NumberFormat('en-US');

function countText(count: number): string {
	return `${numberFormat.format(count)} ${count === 1 ? 'vote' : 'votes'}`;
}

function percentText(count: number, percent: number): string {
	if (count > 0 && percent === 0) return '<1%';
	return `${percent}%`;
}

function safeCount(value: number): number {
	return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/**
 * SVG of a closed poll: the question (up to three lines), one bar per choice with its share and count, the vote
 * total and closing time, the mean for a scale poll, and an optional footer.
 */
export function buildPollChartSvg(input: PollChartInput): string {
	const body: string[] = [];
	const counts = input.choices.map((choice) => safeCount(choice.count));
	const total = safeCount(input.totalVotes);
	const hasVotes = total > 0;
	const percentages = wholePercentages(counts, total);
	const leading = Math.max(0, ...counts);

	let y = PAD;
	body.push(svgText('POLL RESULTS', { ...KICKER, x: PAD, y: y + 9, fill: COLOURS.accent }));
	y += 22;

	const question = cleanText(input.question) || 'Untitled poll';
	for (const line of wrapText(question, CONTENT, QUESTION, 3)) {
		body.push(svgText(line, { ...QUESTION, x: PAD, y: y + 17, fill: COLOURS.text }));
		y += QUESTION_LINE;
	}
	y += 16;

	// Every row shares one value column sized for its widest entry, so bars and labels line up.
	const percentWidth = Math.max(measureText('100%', PERCENT), measureText('<1%', PERCENT));
	const countWidth = Math.max(0, ...counts.map((count) => measureText(countText(count), COUNT)));
	const valueWidth = (hasVotes ? percentWidth + 10 : 0) + countWidth;
	const labelWidth = CONTENT - valueWidth - VALUE_GAP;

	input.choices.forEach((choice, index) => {
		const count = counts[index] ?? 0;
		const isLeader = hasVotes && count === leading;
		const style = isLeader ? LEADING_LABEL : LABEL;
		const lines = wrapText(cleanText(choice.label) || `Choice ${index + 1}`, labelWidth, style, 2);
		lines.forEach((line, lineIndex) => {
			body.push(svgText(line, { ...style, x: PAD, y: y + 13 + lineIndex * LABEL_LINE, fill: COLOURS.label }));
		});
		const valueBaseline = y + 13;
		if (hasVotes) {
			const percent = percentages[index] ?? 0;
			body.push(
				svgText(percentText(count, percent), {
					...PERCENT,
					x: RIGHT,
					y: valueBaseline,
					fill: isLeader ? COLOURS.text : COLOURS.label,
					anchor: 'end',
				}),
			);
		}
		body.push(
			svgText(countText(count), {
				...COUNT,
				x: hasVotes ? RIGHT - percentWidth - 10 : RIGHT,
				y: valueBaseline,
				fill: COLOURS.muted,
				anchor: 'end',
			}),
		);
		y += lines.length * LABEL_LINE + 5;

		body.push(
			`<rect x="${PAD}" y="${num(y)}" width="${CONTENT}" height="${BAR_HEIGHT}" rx="${BAR_HEIGHT / 2}" fill="${COLOURS.track}"/>`,
		);
		if (hasVotes && count > 0) {
			// A sliver of a bar still shows that someone chose this option.
			const width = Math.max(BAR_HEIGHT, (Math.min(count, total) / total) * CONTENT);
			body.push(
				`<rect x="${PAD}" y="${num(y)}" width="${num(width)}" height="${BAR_HEIGHT}" rx="${BAR_HEIGHT / 2}" fill="${isLeader ? COLOURS.leader : COLOURS.bar}"/>`,
			);
		}
		y += BAR_HEIGHT + 16;
	});

	y += 2;
	body.push(`<rect x="${PAD}" y="${num(y)}" width="${CONTENT}" height="1" fill="${COLOURS.rule}"/>`);
	y += 22;
	const summary = hasVotes ? `${countText(total)} cast` : 'No votes';
	body.push(svgText(summary, { ...SUMMARY, x: PAD, y, fill: COLOURS.text }));
	const closedAt = cleanText(input.closedAt);
	if (closedAt !== '') {
		const detailX = PAD + measureText(summary, SUMMARY) + measureText(' ', DETAIL);
		const detail = ellipsize(`· ${closedAt}`, RIGHT - detailX, DETAIL);
		body.push(svgText(detail, { ...DETAIL, x: detailX, y, fill: COLOURS.muted }));
	}
	// A tie is said in words: equal bars alone could be read as a rounding of a narrow lead.
	const top = standing({ counts });
	if (top.kind === 'tie') {
		const names = top.choices.map((index) => cleanText(input.choices[index]?.label ?? '') || `Choice ${index + 1}`);
		const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names.join('');
		const tied = `Tied: ${list}, ${numberFormat.format(top.count)} vote${top.count === 1 ? '' : 's'} each`;
		for (const line of wrapText(tied, CONTENT, SUMMARY, 2)) {
			y += 17;
			body.push(svgText(line, { ...SUMMARY, x: PAD, y, fill: COLOURS.text }));
		}
	}

	const scale = input.scale;
	if (scale && hasVotes && Number.isFinite(scale.mean) && input.choices.length >= 2) {
		y += 12;
		const steps = input.choices.length;
		const mean = Math.min(Math.max(scale.mean, 1), steps);
		const minLabel = cleanText(scale.minLabel);
		const maxLabel = cleanText(scale.maxLabel);
		const description = `Mean ${mean.toFixed(1)} on 1 = ${minLabel} … ${steps} = ${maxLabel}`;
		for (const line of wrapText(description, CONTENT, DETAIL, 2)) {
			y += 17;
			body.push(svgText(line, { ...DETAIL, x: PAD, y, fill: COLOURS.label }));
		}
		y += 22;
		const left = PAD + 6;
		const right = RIGHT - 6;
		const stepX = (step: number): number => left + ((step - 1) / (steps - 1)) * (right - left);
		body.push(
			`<line x1="${num(left)}" y1="${num(y)}" x2="${num(right)}" y2="${num(y)}" stroke="${COLOURS.track}" stroke-width="4" stroke-linecap="round"/>`,
		);
		for (let step = 1; step <= steps; step++) {
			const x = stepX(step);
			body.push(`<circle cx="${num(x)}" cy="${num(y)}" r="3" fill="${COLOURS.faint}"/>`);
			body.push(svgText(String(step), { ...SCALE_TICK, x, y: y + 18, fill: COLOURS.muted, anchor: 'middle' }));
		}
		const meanX = stepX(mean);
		body.push(
			`<circle cx="${num(meanX)}" cy="${num(y)}" r="7" fill="${COLOURS.leader}" stroke="${COLOURS.background}" stroke-width="2.5"/>`,
		);
		y += 22;
	}

	const footer = cleanText(input.footer ?? '');
	if (footer !== '') {
		y += 8;
		for (const line of wrapText(footer, CONTENT, FOOTER, 2)) {
			y += 15;
			body.push(svgText(line, { ...FOOTER, x: PAD, y, fill: COLOURS.faint }));
		}
	}
	y += PAD - 4;

	return svgDocument({
		width: POLL_CHART_WIDTH,
		height: y,
		scale: POLL_CHART_SCALE,
		background: COLOURS.background,
		body,
	});
}

/** PNG of {@link buildPollChartSvg}: 1200 px wide, height grows with the question and the number of choices. */
export function renderPollChartPng(input: PollChartInput): Buffer {
	return svgToPng(buildPollChartSvg(input));
}

export { wholePercentages };
