import { type FontWeight, measureText } from '../../src/render/svg.js';

/** One `<text>` element of a rendered SVG, with its horizontal extent by the renderer's own measurement. */
export interface PlacedText {
	text: string;
	x: number;
	y: number;
	size: number;
	weight: FontWeight;
	left: number;
	right: number;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" };

function attribute(attributes: string, name: string): string | undefined {
	return new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(attributes)?.[1];
}

function toWeight(value: string | undefined): FontWeight {
	if (value === '400' || value === '600' || value === '700') return Number(value) as FontWeight;
	throw new Error(`unexpected font-weight ${value}`);
}

export function textsOf(svg: string): PlacedText[] {
	return Array.from(svg.matchAll(/<text ([^>]*)>([^<]*)<\/text>/g), (match) => {
		const attributes = match[1] ?? '';
		const text = (match[2] ?? '').replace(/&(?:amp|lt|gt|quot|apos);/g, (entity) => ENTITIES[entity] ?? entity);
		const x = Number(attribute(attributes, 'x'));
		const size = Number(attribute(attributes, 'font-size'));
		const weight = toWeight(attribute(attributes, 'font-weight'));
		const width = measureText(text, {
			size,
			weight,
			letterSpacing: Number(attribute(attributes, 'letter-spacing') ?? 0),
		});
		const anchor = attribute(attributes, 'text-anchor') ?? 'start';
		const left = anchor === 'end' ? x - width : anchor === 'middle' ? x - width / 2 : x;
		return { text, x, y: Number(attribute(attributes, 'y')), size, weight, left, right: left + width };
	});
}

/** Layout size from the viewBox, in the units the text is placed in. */
export function viewBoxOf(svg: string): { width: number; height: number } {
	const match = /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svg);
	if (!match) throw new Error('SVG has no viewBox');
	return { width: Number(match[1]), height: Number(match[2]) };
}

/** Width and height from the PNG's IHDR chunk, which always follows the 8-byte signature. */
export function pngSize(png: Buffer): { width: number; height: number } {
	return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The same SVG with every text element removed, to show that text really reaches the pixels. */
export function withoutText(svg: string): string {
	return svg.replace(/<text [^>]*>[^<]*<\/text>/g, '');
}
