import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CUSTOM_ID_MAX_LENGTH, decodeCustomId, encodeCustomId } from '../../src/discord/custom-id.js';

describe('custom_id codec', () => {
	it('round-trips command, action and arguments', () => {
		const id = encodeCustomId('poll', 'vote', '1234567890123456789', '2');
		expect(id).toBe('poll:vote:1234567890123456789:2');
		expect(decodeCustomId(id)).toEqual({ command: 'poll', action: 'vote', args: ['1234567890123456789', '2'] });
	});

	it('refuses parts that would break the format', () => {
		expect(() => encodeCustomId('poll', 'vote', 'a:b')).toThrow(TypeError);
		expect(() => encodeCustomId('poll', '')).toThrow(TypeError);
		expect(() => encodeCustomId('poll', 'vote', 'x'.repeat(61))).toThrow(TypeError);
	});

	it('refuses ids longer than Discord allows', () => {
		expect(() => encodeCustomId('poll', 'vote', 'a'.repeat(50), 'b'.repeat(50))).toThrow(RangeError);
	});

	it.each([
		['', 'empty'],
		['poll', 'no action'],
		['poll::x', 'empty action'],
		['poll:vote:', 'empty argument'],
		[`poll:vote:${'9'.repeat(120)}`, 'too long'],
		['poll:vote:<@123>', 'mention characters'],
		['poll:vote:1\u200b', 'zero-width character'],
	])('returns undefined for a forged or old id (%s: %s)', (value) => {
		expect(decodeCustomId(value)).toBeUndefined();
	});

	it('never throws on arbitrary strings and only decodes ids within the limit', () => {
		fc.assert(
			fc.property(fc.string({ maxLength: 300 }), (value) => {
				const decoded = decodeCustomId(value);
				if (decoded) {
					expect(value.length).toBeLessThanOrEqual(CUSTOM_ID_MAX_LENGTH);
					expect([decoded.command, decoded.action, ...decoded.args].join(':')).toBe(value);
				}
			}),
		);
	});

	it('decodes everything it encodes', () => {
		const part = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/);
		fc.assert(
			fc.property(part, part, fc.array(part, { maxLength: 4 }), (command, action, args) => {
				const id = encodeCustomId(command, action, ...args);
				expect(decodeCustomId(id)).toEqual({ command, action, args });
			}),
		);
	});
});
