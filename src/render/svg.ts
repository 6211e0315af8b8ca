import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';

/** The Inter weights the renderers use; each maps to one static TTF shipped in `@expo-google-fonts/inter`. */
export type FontWeight = 400 | 600 | 700;

export interface TextStyle {
	size: number;
	weight: FontWeight;
	/** Extra space after every character, in the same units as `size` (SVG `letter-spacing`). */
	letterSpacing?: number;
}

const FONT_FAMILY = 'Inter';

const FONT_FILES: Record<FontWeight, string> = {
	400: '400Regular/Inter_400Regular.ttf',
	600: '600SemiBold/Inter_600SemiBold.ttf',
	700: '700Bold/Inter_700Bold.ttf',
};

const WEIGHTS: readonly FontWeight[] = [400, 600, 700];

/**
 * The package has no `exports` map, so its package.json resolves from any module that can see it; the TTFs sit in
 * one folder per weight next to it. Resolving instead of hard-coding `node_modules/...` keeps this working under
 * hoisting, workspaces and tsx.
 */
function resolveFontPath(weight: FontWeight): string {
	const require = createRequire(import.meta.url);
	const packageDir = dirname(require.resolve('@expo-google-fonts/inter/package.json'));
	return join(packageDir, FONT_FILES[weight]);
}

let fontPaths: readonly string[] | undefined;

/** Absolute paths of the TTF files handed to resvg. System fonts are never loaded, so output is machine-independent. */
export function interFontPaths(): readonly string[] {
	fontPaths ??= WEIGHTS.map(resolveFontPath);
	return fontPaths;
}

/** Horizontal advances of one font, in font units, keyed by Unicode code point. */
interface FontMetrics {
	unitsPerEm: number;
	advances: ReadonlyMap<number, number>;
	/** Advance of glyph 0 (.notdef), which resvg draws for characters Inter lacks. */
	missingAdvance: number;
}

interface TableRecord {
	offset: number;
	length: number;
}

function readTables(font: Buffer): Map<string, TableRecord> {
	const tables = new Map<string, TableRecord>();
	const count = font.readUInt16BE(4);
	for (let i = 0; i < count; i++) {
		const record = 12 + 16 * i;
		tables.set(font.toString('latin1', record, record + 4), {
			offset: font.readUInt32BE(record + 8),
			length: font.readUInt32BE(record + 12),
		});
	}
	return tables;
}

function requireTable(tables: Map<string, TableRecord>, tag: string): TableRecord {
	const table = tables.get(tag);
	if (!table) throw new Error(`Font has no '${tag}' table`);
	return table;
}

/** Code point → glyph id from a cmap format 12 (full Unicode) subtable. */
function readCmapFormat12(font: Buffer, at: number, into: Map<number, number>): void {
	const groups = font.readUInt32BE(at + 12);
	for (let i = 0; i < groups; i++) {
		const group = at + 16 + 12 * i;
		const start = font.readUInt32BE(group);
		const end = font.readUInt32BE(group + 4);
		const glyph = font.readUInt32BE(group + 8);
		for (let code = start; code <= end; code++) into.set(code, glyph + (code - start));
	}
}

/** Code point → glyph id from a cmap format 4 (BMP) subtable. */
function readCmapFormat4(font: Buffer, at: number, into: Map<number, number>): void {
	const segments = font.readUInt16BE(at + 6) / 2;
	const ends = at + 14;
	const starts = ends + 2 * segments + 2;
	const deltas = starts + 2 * segments;
	const rangeOffsets = deltas + 2 * segments;
	for (let s = 0; s < segments; s++) {
		const end = font.readUInt16BE(ends + 2 * s);
		const start = font.readUInt16BE(starts + 2 * s);
		const delta = font.readUInt16BE(deltas + 2 * s);
		const rangeOffset = font.readUInt16BE(rangeOffsets + 2 * s);
		for (let code = start; code <= end && code !== 0xffff; code++) {
			let glyph: number;
			if (rangeOffset === 0) {
				glyph = (code + delta) & 0xffff;
			} else {
				const raw = font.readUInt16BE(rangeOffsets + 2 * s + rangeOffset + 2 * (code - start));
				glyph = raw === 0 ? 0 : (raw + delta) & 0xffff;
			}
			if (glyph !== 0) into.set(code, glyph);
		}
	}
}

/**
 * Reads advance widths straight from the TTF (head, hhea, hmtx, cmap), so text can be measured for wrapping without
 * a font library. Kerning (GPOS) is ignored: Inter's pairs almost all tighten, so the sum of advances is a slight
 * over-estimate, which errs on the side of wrapping early rather than overflowing.
 */
function parseFontMetrics(font: Buffer): FontMetrics {
	const tables = readTables(font);
	const head = requireTable(tables, 'head');
	const hhea = requireTable(tables, 'hhea');
	const hmtx = requireTable(tables, 'hmtx');
	const cmap = requireTable(tables, 'cmap');

	const unitsPerEm = font.readUInt16BE(head.offset + 18);
	const longMetrics = font.readUInt16BE(hhea.offset + 34);
	const advanceOf = (glyph: number): number => font.readUInt16BE(hmtx.offset + 4 * Math.min(glyph, longMetrics - 1));

	const glyphs = new Map<number, number>();
	const subtables = font.readUInt16BE(cmap.offset + 2);
	let format4: number | undefined;
	let format12: number | undefined;
	for (let i = 0; i < subtables; i++) {
		const record = cmap.offset + 4 + 8 * i;
		const platform = font.readUInt16BE(record);
		const encoding = font.readUInt16BE(record + 2);
		const at = cmap.offset + font.readUInt32BE(record + 4);
		const format = font.readUInt16BE(at);
		const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
		if (!unicode) continue;
		if (format === 12) format12 ??= at;
		if (format === 4) format4 ??= at;
	}
	if (format12 !== undefined) readCmapFormat12(font, format12, glyphs);
	else if (format4 !== undefined) readCmapFormat4(font, format4, glyphs);
	else throw new Error('Font has no Unicode cmap subtable');

	const advances = new Map<number, number>();
	for (const [code, glyph] of glyphs) advances.set(code, advanceOf(glyph));
	return { unitsPerEm, advances, missingAdvance: advanceOf(0) };
}

const metricsCache = new Map<FontWeight, FontMetrics>();

function metricsFor(weight: FontWeight): FontMetrics {
	let metrics = metricsCache.get(weight);
	if (!metrics) {
		metrics = parseFontMetrics(readFileSync(resolveFontPath(weight)));
		metricsCache.set(weight, metrics);
	}
	return metrics;
}

/** Width of `text` set on one line in Inter at `style`, in SVG user units. */
export function measureText(text: string, style: TextStyle): number {
	const metrics = metricsFor(style.weight);
	let units = 0;
	let characters = 0;
	for (const character of text) {
		const code = character.codePointAt(0) ?? 0;
		units += metrics.advances.get(code) ?? metrics.missingAdvance;
		characters++;
	}
	return (units * style.size) / metrics.unitsPerEm + characters * (style.letterSpacing ?? 0);
}

// General category Cc is exactly U+0000–U+001F and U+007F–U+009F.
const CONTROL_CHARACTERS = /\p{Cc}/gu;
// Directional overrides would let user text reorder the surrounding layout; noncharacters are invalid in XML.
const LAYOUT_HAZARDS = /[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]/g;
const LONE_SURROGATES = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Makes user text safe to lay out on one line: line breaks and tabs become spaces, control and bidi-override
 * characters go (XML 1.0 forbids most C0 controls outright), broken surrogate pairs become U+FFFD, and runs of
 * whitespace collapse because SVG would collapse them anyway and the measurements must agree.
 */
export function cleanText(text: string): string {
	return text
		.normalize('NFC')
		.replace(/[\t\n\r\v\f\u0085\u2028\u2029]/g, ' ')
		.replace(CONTROL_CHARACTERS, '')
		.replace(LAYOUT_HAZARDS, '')
		.replace(LONE_SURROGATES, '\ufffd')
		.replace(/\s+/g, ' ')
		.trim();
}

/** Escapes the five XML special characters, for both text content and attribute values. */
export function escapeXml(text: string): string {
	return text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&apos;');
}

export const ELLIPSIS = '…';

const graphemeSegmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

function graphemes(text: string): string[] {
	return Array.from(graphemeSegmenter.segment(text), (segment) => segment.segment);
}

/**
 * The prefix of `text` at most `budget` wide, plus a few code units so a grapheme cut at the end stays whole.
 * Grapheme segmentation is slow on long strings, so callers clip before segmenting: user text can be thousands of
 * characters, of which one image shows a few hundred.
 */
function clipToWidth(text: string, budget: number, style: TextStyle): string {
	let end = 0;
	let width = 0;
	for (const character of text) {
		width += measureText(character, style);
		if (width > budget) break;
		end += character.length;
	}
	return text.slice(0, end + 32);
}

/** Shortens `text` to fit `maxWidth`, ending in "…"; cuts between graphemes so emoji and accents stay whole. */
export function ellipsize(text: string, maxWidth: number, style: TextStyle): string {
	if (measureText(text, style) <= maxWidth) return text;
	const room = maxWidth - measureText(ELLIPSIS, style);
	if (room < 0) return '';
	// Widths add up glyph by glyph, so one pass finds the longest prefix that fits.
	let kept = '';
	let width = 0;
	for (const part of graphemes(clipToWidth(text, room, style))) {
		width += measureText(part, style);
		if (width > room) break;
		kept += part;
	}
	return `${kept.trimEnd()}${ELLIPSIS}`;
}

/** Splits a word wider than the line into line-sized pieces. */
function splitLongWord(word: string, maxWidth: number, style: TextStyle): string[] {
	const pieces: string[] = [];
	let current = '';
	for (const part of graphemes(word)) {
		if (current !== '' && measureText(current + part, style) > maxWidth) {
			pieces.push(current);
			current = part;
		} else {
			current += part;
		}
	}
	if (current !== '') pieces.push(current);
	return pieces;
}

/** Line widths for {@link wrapText}: one width for every line, or one per line with the last repeating. */
export type LineWidths = number | readonly number[];

function widthOfLine(widths: LineWidths, line: number): number {
	if (typeof widths === 'number') return widths;
	return widths[Math.min(line, widths.length - 1)] ?? 0;
}

/**
 * Greedy word wrap of cleaned text into at most `maxLines` lines, line `i` no wider than its width (so a first line
 * can leave room for a label in front of it). When the text does not fit, the last line ends in "…". Returns no lines
 * for empty text.
 */
export function wrapText(text: string, widths: LineWidths, style: TextStyle, maxLines: number): string[] {
	let capacity = 0;
	for (let line = 0; line <= maxLines; line++) capacity += widthOfLine(widths, line);
	// Text beyond all lines plus one more cannot show; dropping it keeps long input fast and still ends in "…".
	const shown = clipToWidth(text, capacity, style);
	const lines: string[] = [];
	let current = '';
	const words = shown.split(' ').filter((word) => word !== '');
	for (let index = 0; index < words.length; index++) {
		const word = words[index] ?? '';
		const joined = current === '' ? word : `${current} ${word}`;
		if (measureText(joined, style) <= widthOfLine(widths, lines.length)) {
			current = joined;
			continue;
		}
		if (current !== '') lines.push(current);
		const width = widthOfLine(widths, lines.length);
		const pieces = measureText(word, style) <= width ? [word] : splitLongWord(word, width, style);
		lines.push(...pieces.slice(0, -1));
		current = pieces.at(-1) ?? '';
		if (lines.length >= maxLines) {
			const rest = [current, ...words.slice(index + 1)].join(' ');
			return truncateLines(lines, rest, widths, style, maxLines);
		}
	}
	if (current !== '') lines.push(current);
	return lines;
}

function truncateLines(
	lines: string[],
	rest: string,
	widths: LineWidths,
	style: TextStyle,
	maxLines: number,
): string[] {
	const kept = lines.slice(0, maxLines);
	const overflow = [...lines.slice(maxLines), rest].filter((part) => part !== '').join(' ');
	const last = kept.pop() ?? '';
	// Appending the overflow makes the line too wide for its width, so ellipsize always adds the "…".
	kept.push(ellipsize(overflow === '' ? last : `${last} ${overflow}`, widthOfLine(widths, kept.length), style));
	return kept;
}

/** Formats a coordinate with at most two decimals, so the SVG (and hence the PNG) is stable across runs. */
export function num(value: number): string {
	return String(Math.round(value * 100) / 100);
}

export interface TextOptions extends TextStyle {
	x: number;
	/** Baseline. */
	y: number;
	fill: string;
	anchor?: 'start' | 'middle' | 'end';
	opacity?: number;
}

/** One `<text>` element; the text is escaped here, so callers pass plain (cleaned) strings. */
export function svgText(text: string, options: TextOptions): string {
	const attributes = [
		`x="${num(options.x)}"`,
		`y="${num(options.y)}"`,
		`font-size="${num(options.size)}"`,
		`font-weight="${options.weight}"`,
		`fill="${options.fill}"`,
	];
	if (options.anchor && options.anchor !== 'start') attributes.push(`text-anchor="${options.anchor}"`);
	if (options.letterSpacing) attributes.push(`letter-spacing="${num(options.letterSpacing)}"`);
	if (options.opacity !== undefined) attributes.push(`fill-opacity="${num(options.opacity)}"`);
	return `<text ${attributes.join(' ')}>${escapeXml(text)}</text>`;
}

export interface SvgDocument {
	/** Layout width in user units; the PNG is `width * scale` pixels wide. */
	width: number;
	height: number;
	scale: number;
	background: string;
	body: readonly string[];
}

/**
 * Wraps layout-space content in an SVG whose pixel size is `scale` times the layout, so the drawing code works at
 * Discord's preview width while the PNG stays sharp on high-density screens.
 */
export function svgDocument(document: SvgDocument): string {
	const height = Math.ceil(document.height);
	return [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${document.width * document.scale}" height="${height * document.scale}"`,
		` viewBox="0 0 ${document.width} ${height}" font-family="${FONT_FAMILY}">`,
		`<rect width="${document.width}" height="${height}" fill="${document.background}"/>`,
		...document.body,
		'</svg>',
	].join('');
}

/** Rasterises SVG with only the bundled Inter faces, so the same input gives the same PNG bytes on any machine. */
export function svgToPng(svg: string): Buffer {
	const resvg = new Resvg(svg, {
		font: {
			loadSystemFonts: false,
			fontFiles: [...interFontPaths()],
			defaultFontFamily: FONT_FAMILY,
			sansSerifFamily: FONT_FAMILY,
		},
		fitTo: { mode: 'original' },
		logLevel: 'off',
	});
	return resvg.render().asPng();
}
