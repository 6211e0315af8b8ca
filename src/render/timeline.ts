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

export type DealStatus =
	| 'collapsed'
	| 'superseded'
	| 'no-agreement'
	| 'partly-implemented'
	| 'never-implemented'
	| 'lapsed';

/** One deal as the timeline shows it: plain data, already validated upstream. */
export interface TimelineItem {
	id: string;
	name: string;
	/** ISO date (`YYYY-MM-DD`, a time part is ignored). */
	start: string;
	/** Last day for deals that ran over several days, else null. */
	end: string | null;
	status: DealStatus;
	/** One-line outcome, up to about 90 characters. */
	outcome: string;
}

export interface TimelineOptions {
	title?: string;
}

/** Layout width; the PNG is twice this, so it stays sharp when Discord scales its ~550 px preview up. */
export const TIMELINE_WIDTH = 600;
export const TIMELINE_SCALE = 2;

const STATUS_STYLE: Record<DealStatus, { label: string; colour: string }> = {
	collapsed: { label: 'Collapsed', colour: '#f87171' },
	superseded: { label: 'Superseded', colour: '#60a5fa' },
	'no-agreement': { label: 'No agreement', colour: '#a8b3c4' },
	'partly-implemented': { label: 'Partly implemented', colour: '#fbbf24' },
	'never-implemented': { label: 'Never implemented', colour: '#c084fc' },
	lapsed: { label: 'Lapsed', colour: '#fb923c' },
};

const COLOURS = {
	background: '#0f172a',
	stripe: '#16213a',
	text: '#f1f5f9',
	muted: '#94a3b8',
	faint: '#64748b',
	grid: '#334155',
	track: '#1e2b44',
};

const PAD = 24;
const YEAR_COLUMN = 64;
const AXIS_WIDTH = 170;
const COLUMN_GAP = 18;
const TEXT_X = PAD + YEAR_COLUMN;
const AXIS_RIGHT = TIMELINE_WIDTH - PAD;
const AXIS_LEFT = AXIS_RIGHT - AXIS_WIDTH;
const TEXT_WIDTH = AXIS_LEFT - COLUMN_GAP - TEXT_X;

const TITLE: TextStyle = { size: 19, weight: 700 };
const SUBTITLE: TextStyle = { size: 11.5, weight: 400 };
const YEAR: TextStyle = { size: 14, weight: 700 };
const DAY: TextStyle = { size: 10.5, weight: 400 };
const NAME: TextStyle = { size: 13.5, weight: 600 };
const OUTCOME: TextStyle = { size: 11.5, weight: 400 };
const PILL: TextStyle = { size: 9.5, weight: 600 };
const TICK: TextStyle = { size: 10, weight: 600 };

const NAME_LINE = 18;
const OUTCOME_LINE = 15.5;
const ROW_PAD = 11;
const PILL_HEIGHT = 15;
const PILL_PAD = 6;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface CalendarDate {
	year: number;
	month: number;
	day: number;
	time: number;
}

function parseDate(value: string, id: string): CalendarDate {
	const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
	const [, year, month, day] = match ?? [];
	const time = Date.UTC(Number(year), Number(month) - 1, Number(day));
	if (!match || Number.isNaN(time)) throw new Error(`Deal '${id}' has an invalid date: ${value}`);
	const parsed = new Date(time);
	return { year: parsed.getUTCFullYear(), month: parsed.getUTCMonth(), day: parsed.getUTCDate(), time };
}

// No-break spaces keep "2 Jan 2019" together when a range wraps in the narrow date column.
const NBSP = '\u00a0';

function dayMonth(date: CalendarDate): string {
	return `${date.day}${NBSP}${MONTHS[date.month]}`;
}

/**
 * "21 Oct", "27–28 Feb", "30 Sep – 3 Oct", "31 Dec – 2 Jan 2019": the year column already shows the start year.
 * A range across months may wrap after its dash.
 */
function formatDays(start: CalendarDate, end: CalendarDate | null): string {
	if (!end || end.time <= start.time) return dayMonth(start);
	if (end.year !== start.year) return `${dayMonth(start)} – ${dayMonth(end)}${NBSP}${end.year}`;
	if (end.month === start.month) return `${start.day}–${end.day}${NBSP}${MONTHS[start.month]}`;
	return `${dayMonth(start)} – ${dayMonth(end)}`;
}

interface Row {
	item: TimelineItem;
	start: CalendarDate;
	end: CalendarDate | null;
	nameLines: string[];
	outcomeLines: string[];
	pillWidth: number;
	height: number;
}

function layoutRow(item: TimelineItem): Row {
	const start = parseDate(item.start, item.id);
	const end = item.end === null ? null : parseDate(item.end, item.id);
	const status = STATUS_STYLE[item.status];
	const pillWidth = measureText(status.label, PILL) + 2 * PILL_PAD;
	const nameLines = wrapText(cleanText(item.name), TEXT_WIDTH, NAME, 2);
	// The status pill opens the outcome line, so that line is shorter by the pill and a gap.
	const outcomeLines = wrapText(cleanText(item.outcome), [TEXT_WIDTH - pillWidth - 7, TEXT_WIDTH], OUTCOME, 2);
	const nameBlock = Math.max(nameLines.length, 1) * NAME_LINE;
	const outcomeBlock = Math.max(outcomeLines.length, 1) * OUTCOME_LINE;
	return { item, start, end, nameLines, outcomeLines, pillWidth, height: ROW_PAD * 2 + nameBlock + 4 + outcomeBlock };
}

interface Axis {
	x(time: number): number;
	/** Labelled years. */
	ticks: number[];
	/** Unlabelled years halfway between ticks, drawn fainter. */
	minorTicks: number[];
}

const TICK_STEPS = [1, 2, 5, 10, 20, 50, 100];

function buildAxis(rows: readonly Row[]): Axis {
	const firstYear = Math.min(...rows.map((row) => row.start.year));
	const lastYear = Math.max(...rows.map((row) => (row.end ?? row.start).year));
	const from = Date.UTC(firstYear, 0, 1);
	const to = Date.UTC(lastYear + 1, 0, 1);
	// Inset so the end dots are not clipped and a year label centred on the last grid line still fits.
	const left = AXIS_LEFT + 8;
	const right = AXIS_RIGHT - 14;
	const years = lastYear + 1 - firstYear;
	// The narrowest spacing at which four-digit year labels keep a clear gap between them.
	const minimumSpacing = measureText('0000', TICK) + 10;
	const step = TICK_STEPS.find((candidate) => (candidate / years) * (right - left) >= minimumSpacing) ?? years;
	const ticks: number[] = [];
	const minorTicks: number[] = [];
	const minor = step % 2 === 0 || step === 10 ? step / 2 : step;
	for (let year = Math.ceil(firstYear / minor) * minor; year <= lastYear + 1; year += minor) {
		if (year % step === 0) ticks.push(year);
		else minorTicks.push(year);
	}
	return { x: (time) => left + ((time - from) / (to - from)) * (right - left), ticks, minorTicks };
}

function defaultTitle(rows: readonly Row[]): string {
	if (rows.length === 0) return 'U.S.–North Korea nuclear deals';
	const first = Math.min(...rows.map((row) => row.start.year));
	const last = Math.max(...rows.map((row) => row.start.year));
	return first === last
		? `U.S.–North Korea nuclear deals, ${first}`
		: `U.S.–North Korea nuclear deals, ${first}–${last}`;
}

function drawStripe(row: Row, top: number): string {
	return `<rect x="0" y="${num(top)}" width="${TIMELINE_WIDTH}" height="${num(row.height)}" fill="${COLOURS.stripe}"/>`;
}

function drawRow(row: Row, top: number, axis: Axis, stripe: boolean): string[] {
	const parts: string[] = [];
	const status = STATUS_STYLE[row.item.status];
	const firstBaseline = top + ROW_PAD + 13;
	parts.push(svgText(String(row.start.year), { ...YEAR, x: PAD, y: firstBaseline, fill: COLOURS.text }));
	wrapText(formatDays(row.start, row.end), YEAR_COLUMN - 8, DAY, 2).forEach((line, index) => {
		parts.push(svgText(line, { ...DAY, x: PAD, y: firstBaseline + 15 + index * 13, fill: COLOURS.muted }));
	});

	row.nameLines.forEach((line, index) => {
		parts.push(svgText(line, { ...NAME, x: TEXT_X, y: firstBaseline + index * NAME_LINE, fill: COLOURS.text }));
	});

	const outcomeBaseline = top + ROW_PAD + Math.max(row.nameLines.length, 1) * NAME_LINE + 4 + 11.5;
	const pillTop = outcomeBaseline - 11;
	parts.push(
		`<rect x="${num(TEXT_X)}" y="${num(pillTop)}" width="${num(row.pillWidth)}" height="${PILL_HEIGHT}" rx="${PILL_HEIGHT / 2}" fill="${status.colour}" fill-opacity="0.16"/>`,
		svgText(status.label, { ...PILL, x: TEXT_X + PILL_PAD, y: pillTop + 10.7, fill: status.colour }),
	);
	row.outcomeLines.forEach((line, index) => {
		const x = index === 0 ? TEXT_X + row.pillWidth + 7 : TEXT_X;
		parts.push(svgText(line, { ...OUTCOME, x, y: outcomeBaseline + index * OUTCOME_LINE, fill: COLOURS.muted }));
	});

	const centre = top + row.height / 2;
	const startX = axis.x(row.start.time);
	parts.push(
		`<line x1="${num(AXIS_LEFT)}" y1="${num(centre)}" x2="${num(AXIS_RIGHT)}" y2="${num(centre)}" stroke="${COLOURS.track}" stroke-width="1"/>`,
	);
	if (row.end && row.end.time > row.start.time) {
		const endX = Math.max(axis.x(row.end.time), startX);
		parts.push(
			`<line x1="${num(startX)}" y1="${num(centre)}" x2="${num(endX)}" y2="${num(centre)}" stroke="${status.colour}" stroke-width="6" stroke-linecap="round"/>`,
		);
	}
	parts.push(
		`<circle cx="${num(startX)}" cy="${num(centre)}" r="5.5" fill="${status.colour}" stroke="${stripe ? COLOURS.stripe : COLOURS.background}" stroke-width="2"/>`,
	);
	return parts;
}

/**
 * SVG of the deal timeline: one row per deal, oldest first, with the start year, dates, name, a status pill and the
 * outcome on the left and a dot on a shared year axis on the right. Rows rather than labels on one axis keep deals
 * that cluster (2005–2007, 2018–2019) readable.
 */
export function buildTimelineSvg(items: readonly TimelineItem[], options: TimelineOptions = {}): string {
	const rows = [...items]
		.map(layoutRow)
		.sort((a, b) => a.start.time - b.start.time || (a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0));

	const body: string[] = [];
	let y = PAD;
	const title = cleanText(options.title ?? '') || defaultTitle(rows);
	for (const line of wrapText(title, TIMELINE_WIDTH - 2 * PAD, TITLE, 2)) {
		body.push(svgText(line, { ...TITLE, x: PAD, y: y + 17, fill: COLOURS.text }));
		y += 25;
	}
	const subtitle =
		rows.length === 0
			? 'No deals to show.'
			: `${rows.length} ${rows.length === 1 ? 'deal' : 'deals'}, oldest first, with how each one ended`;
	body.push(
		svgText(ellipsize(subtitle, TIMELINE_WIDTH - 2 * PAD, SUBTITLE), {
			...SUBTITLE,
			x: PAD,
			y: y + 10,
			fill: COLOURS.muted,
		}),
	);
	y += 24;

	if (rows.length > 0) {
		const axis = buildAxis(rows);
		const tickBaseline = y + 12;
		y += 20;
		const rowsTop = y;
		const rowsHeight = rows.reduce((sum, row) => sum + row.height, 0);
		const tickLabels: string[] = [];
		const gridLines: string[] = [];
		const gridLine = (year: number, opacity: number): string => {
			const x = num(axis.x(Date.UTC(year, 0, 1)));
			return `<line x1="${x}" y1="${num(rowsTop)}" x2="${x}" y2="${num(rowsTop + rowsHeight)}" stroke="${COLOURS.grid}" stroke-opacity="${opacity}" stroke-width="1" stroke-dasharray="2 3"/>`;
		};
		for (const year of axis.minorTicks) gridLines.push(gridLine(year, 0.45));
		for (const year of axis.ticks) {
			gridLines.push(gridLine(year, 1));
			const x = axis.x(Date.UTC(year, 0, 1));
			const label = String(year);
			const half = measureText(label, TICK) / 2;
			// A label that would stick out of the axis column is dropped rather than shifted off its grid line.
			if (x - half < AXIS_LEFT - COLUMN_GAP / 2 || x + half > AXIS_RIGHT) continue;
			tickLabels.push(svgText(label, { ...TICK, x, y: tickBaseline, fill: COLOURS.muted, anchor: 'middle' }));
		}
		body.push(...tickLabels);
		// Stripes go under the grid lines and the rows' content over them, so a grid line never hides a dot.
		const stripes: string[] = [];
		const content: string[] = [];
		rows.forEach((row, index) => {
			const striped = index % 2 === 0;
			if (striped) stripes.push(drawStripe(row, y));
			content.push(...drawRow(row, y, axis, striped));
			y += row.height;
		});
		body.push(...stripes, ...gridLines, ...content);
	}
	y += PAD - 4;

	return svgDocument({ width: TIMELINE_WIDTH, height: y, scale: TIMELINE_SCALE, background: COLOURS.background, body });
}

/** PNG of {@link buildTimelineSvg}: 1200 px wide, height grows with the number of deals. */
export function renderTimelinePng(items: readonly TimelineItem[], options: TimelineOptions = {}): Buffer {
	return svgToPng(buildTimelineSvg(items, options));
}
