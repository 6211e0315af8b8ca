import { describe, expect, it } from 'vitest';
import { ActionSyntaxError, parseAction, parseAdvance, tokenize } from '../../src/local/actions.js';

describe('try console actions', () => {
	it('keeps quoted values together', () => {
		expect(tokenize('/poll start question:"Pressure or compromise?" duration:1h')).toEqual([
			'/poll',
			'start',
			'question:Pressure or compromise?',
			'duration:1h',
		]);
		expect(tokenize(`/balance us_gives:'sanctions relief' nk_gives:""`)).toEqual([
			'/balance',
			'us_gives:sanctions relief',
			'nk_gives:',
		]);
	});

	it('parses a command with bare words and options', () => {
		expect(parseAction('/deal leap day view:timeline')).toEqual({
			kind: 'command',
			actor: null,
			name: 'deal',
			words: ['leap', 'day'],
			options: { view: 'timeline' },
		});
	});

	it('parses actors before and after', () => {
		expect(parseAction('as alice click Pressure')).toEqual({ kind: 'click', actor: 'alice', label: 'Pressure' });
		expect(parseAction('click Full compromise as bob')).toEqual({
			kind: 'click',
			actor: 'bob',
			label: 'Full compromise',
		});
		expect(parseAction('as carol /help')).toMatchObject({ kind: 'command', actor: 'carol', name: 'help' });
	});

	it('parses choose, complete, advance and restart', () => {
		expect(parseAction('choose "Pick a view" timeline,sources as dan')).toEqual({
			kind: 'choose',
			actor: 'dan',
			placeholder: 'Pick a view',
			values: ['timeline', 'sources'],
		});
		expect(parseAction('complete /deal name:lea')).toMatchObject({ kind: 'complete', name: 'deal', focused: 'name' });
		expect(parseAction('advance 2h')).toEqual({ kind: 'advance', ms: 7_200_000, text: '2h' });
		expect(parseAction('restart')).toEqual({ kind: 'restart' });
	});

	it('adds up compound durations', () => {
		expect(parseAdvance('1h30m')).toBe(5_400_000);
		expect(parseAdvance('3d')).toBe(259_200_000);
	});

	it.each(['fly away', 'advance soon', 'click', 'as alice', '/poll start question:"unclosed', '/'])(
		'rejects %j with a usage hint',
		(line) => {
			expect(() => parseAction(line)).toThrow(ActionSyntaxError);
		},
	);
});
