import { describe, expect, it } from 'vitest';
import { svgToPng } from '../../src/render/svg.js';
import { buildTimelineSvg, renderTimelinePng, type TimelineItem } from '../../src/render/timeline.js';
import { PNG_SIGNATURE, pngSize, textsOf, viewBoxOf, withoutText } from './svg-inspect.js';

const AGREED_FRAMEWORK: TimelineItem = {
	id: 'af1994',
	name: 'Agreed Framework',
	start: '1994-10-21',
	end: null,
	status: 'collapsed',
	outcome: 'Freeze held 8 years; collapsed over enrichment in 2002',
};

const DEALS: TimelineItem[] = [
	AGREED_FRAMEWORK,
	{
		id: 'jdd1992',
		name: 'Joint Declaration on Denuclearization',
		start: '1992-01-20',
		end: null,
		status: 'never-implemented',
		outcome: 'Never implemented; no inspections',
	},
	{
		id: 'sixparty2005',
		name: 'Six-Party Joint Statement',
		start: '2005-09-19',
		end: null,
		status: 'superseded',
		outcome: 'Principles only; replaced by the 2007 action plans',
	},
	{
		id: 'feb2007',
		name: 'Initial Actions',
		start: '2007-02-13',
		end: null,
		status: 'superseded',
		outcome: 'Yongbyon shut down and sealed',
	},
	{
		id: 'oct2007',
		name: 'Second-Phase Actions',
		start: '2007-10-03',
		end: null,
		status: 'collapsed',
		outcome: 'Disablement stalled over verification',
	},
	{
		id: 'leapday2012',
		name: 'Leap Day Deal',
		start: '2012-02-29',
		end: null,
		status: 'collapsed',
		outcome: 'Collapsed after the April 2012 satellite launch',
	},
	{
		id: 'panmunjom2018',
		name: 'Panmunjom Declaration',
		start: '2018-04-27',
		end: null,
		status: 'partly-implemented',
		outcome: 'Inter-Korean steps taken',
	},
	{
		id: 'singapore2018',
		name: 'Singapore Joint Statement',
		start: '2018-06-12',
		end: null,
		status: 'lapsed',
		outcome: 'Four broad goals; talks stalled',
	},
	{
		id: 'pyongyang2018',
		name: 'Pyongyang Joint Declaration',
		start: '2018-09-19',
		end: null,
		status: 'partly-implemented',
		outcome: 'Military agreement signed',
	},
	{
		id: 'hanoi2019',
		name: 'Hanoi Summit',
		start: '2019-02-27',
		end: '2019-02-28',
		status: 'no-agreement',
		outcome: 'Ended early with no agreement',
	},
	{
		id: 'stockholm2019',
		name: 'Stockholm talks',
		start: '2019-10-05',
		end: null,
		status: 'no-agreement',
		outcome: 'Working-level talks broke off after one day',
	},
];

const STATUS_LABELS = ['Collapsed', 'Superseded', 'No agreement', 'Partly implemented', 'Never implemented', 'Lapsed'];

function allText(svg: string): string {
	return textsOf(svg)
		.map((text) => text.text)
		.join(' ');
}

describe('renderTimelinePng', () => {
	it('renders a 1200 px wide PNG as tall as the layout', () => {
		const png = renderTimelinePng(DEALS);
		expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
		expect(png.toString('latin1', 12, 16)).toBe('IHDR');
		const { height } = viewBoxOf(buildTimelineSvg(DEALS));
		expect(pngSize(png)).toEqual({ width: 1200, height: height * 2 });
	});

	it('gives byte-identical output for the same deals', () => {
		expect(renderTimelinePng(DEALS).equals(renderTimelinePng([...DEALS]))).toBe(true);
	});

	it('grows with the number of deals', () => {
		expect(pngSize(renderTimelinePng(DEALS)).height).toBeGreaterThan(
			pngSize(renderTimelinePng(DEALS.slice(0, 3))).height,
		);
	});

	it('actually draws its text with the bundled font', () => {
		const svg = buildTimelineSvg(DEALS);
		// With no usable font resvg silently skips text, and both renders would be identical.
		expect(svgToPng(svg).length).toBeGreaterThan(svgToPng(withoutText(svg)).length * 1.3);
	});
});

describe('buildTimelineSvg', () => {
	it('shows every deal with its year, name, status and outcome', () => {
		const text = allText(buildTimelineSvg(DEALS));
		for (const deal of DEALS) {
			expect(text).toContain(deal.name);
			expect(text).toContain(deal.outcome);
			expect(text).toContain(deal.start.slice(0, 4));
		}
		for (const label of STATUS_LABELS) expect(text).toContain(label);
		expect(text).toContain('27–28\u00a0Feb');
	});

	it('lists deals oldest first whatever order they come in', () => {
		const text = allText(buildTimelineSvg([...DEALS].reverse()));
		const positions = [...DEALS].sort((a, b) => a.start.localeCompare(b.start)).map((deal) => text.indexOf(deal.name));
		expect(positions).toEqual([...positions].sort((a, b) => a - b));
	});

	it('keeps every text inside the image, including long names and outcomes', () => {
		const long: TimelineItem = {
			id: 'long',
			name: 'Comprehensive Agreement on the Complete, Verifiable and Irreversible Dismantlement of Everything Nuclear',
			start: '2003-08-27',
			end: '2003-08-29',
			status: 'lapsed',
			outcome: `${'W'.repeat(40)} ${'m'.repeat(50)}`,
		};
		const svg = buildTimelineSvg([...DEALS, long]);
		const { width } = viewBoxOf(svg);
		for (const text of textsOf(svg)) {
			expect(text.left, text.text).toBeGreaterThanOrEqual(20);
			expect(text.right, text.text).toBeLessThanOrEqual(width - 20);
		}
	});

	it('keeps deals that cluster within a year on separate rows', () => {
		const names = textsOf(buildTimelineSvg(DEALS)).filter((text) => DEALS.some((deal) => deal.name === text.text));
		const baselines = names.map((text) => text.y);
		expect(new Set(baselines).size).toBe(DEALS.length);
	});

	it('escapes markup in names and outcomes', () => {
		const svg = buildTimelineSvg([{ ...AGREED_FRAMEWORK, name: 'Deal <b>&</b> "more"', outcome: "It's <over>" }]);
		expect(svg).toContain('Deal &lt;b&gt;&amp;&lt;/b&gt; &quot;more&quot;');
		expect(svg).toContain('It&apos;s &lt;over&gt;');
		expect(svg).not.toContain('<b>');
		expect(() => svgToPng(svg)).not.toThrow();
	});

	it('says so when there are no deals', () => {
		const svg = buildTimelineSvg([]);
		expect(allText(svg)).toContain('No deals to show.');
		expect(() => svgToPng(svg)).not.toThrow();
	});

	it('uses a given title', () => {
		expect(allText(buildTimelineSvg(DEALS, { title: 'Deals & summits' }))).toContain('Deals & summits');
	});

	it('rejects a deal whose date is not an ISO date', () => {
		expect(() => buildTimelineSvg([{ ...AGREED_FRAMEWORK, start: 'October 1994' }])).toThrow(/af1994/);
	});
});
