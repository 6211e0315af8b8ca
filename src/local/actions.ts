/**
 * The `npm run try` action language, parsed into plain data:
 *   /command [subcommand] option:value option:"value with spaces" bare words
 *   as NAME <action>
 *   click LABEL [as NAME]
 *   choose PLACEHOLDER VALUE[,VALUE…] [as NAME]
 *   complete /command option:partial        (show autocomplete choices for the last option)
 *   advance DURATION
 *   restart
 */
export type Action =
	| { kind: 'command'; actor: string | null; name: string; words: string[]; options: Record<string, string> }
	| {
			kind: 'complete';
			actor: string | null;
			name: string;
			words: string[];
			options: Record<string, string>;
			focused: string;
	  }
	| { kind: 'click'; actor: string | null; label: string }
	| { kind: 'choose'; actor: string | null; placeholder: string; values: string[] }
	| { kind: 'advance'; ms: number; text: string }
	| { kind: 'restart' }
	| { kind: 'help' };

export class ActionSyntaxError extends Error {
	override readonly name = 'ActionSyntaxError';
}

/** Splits on spaces, keeping "quoted strings" (and option:"quoted values") together; quotes are removed. */
export function tokenize(line: string): string[] {
	const tokens: string[] = [];
	let current = '';
	let quote: '"' | "'" | null = null;
	let started = false;
	for (const char of line) {
		if (quote) {
			if (char === quote) quote = null;
			else current += char;
		} else if (char === '"' || char === "'") {
			quote = char;
			started = true;
		} else if (/\s/.test(char)) {
			if (started || current) tokens.push(current);
			current = '';
			started = false;
		} else {
			current += char;
			started = true;
		}
	}
	if (quote) throw new ActionSyntaxError(`unclosed ${quote} quote in: ${line}`);
	if (started || current) tokens.push(current);
	return tokens;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90s`, `2h`, `1h30m`, `3d` → milliseconds. */
export function parseAdvance(text: string): number {
	const compact = text.replace(/\s+/g, '').toLowerCase();
	const parts = [...compact.matchAll(/(\d+(?:\.\d+)?)([smhdw])/g)];
	if (parts.length === 0 || parts.map((part) => part[0]).join('') !== compact) {
		throw new ActionSyntaxError(`"${text}" is not a duration; use e.g. 30s, 10m, 2h, 3d or 1h30m`);
	}
	return parts.reduce((total, part) => total + Number(part[1]) * (UNIT_MS[part[2] ?? 's'] ?? 0), 0);
}

function takeTrailingActor(tokens: string[]): { tokens: string[]; actor: string | null } {
	const asIndex = tokens.length >= 2 ? tokens.length - 2 : -1;
	if (asIndex >= 1 && tokens[asIndex]?.toLowerCase() === 'as') {
		return { tokens: tokens.slice(0, asIndex), actor: tokens[asIndex + 1] ?? null };
	}
	return { tokens, actor: null };
}

function parseCommand(tokens: string[], actor: string | null): Action {
	const [head, ...rest] = tokens;
	const name = (head ?? '').slice(1).toLowerCase();
	if (!name) throw new ActionSyntaxError('a command starts with / and a name, e.g. /help');
	const words: string[] = [];
	const options: Record<string, string> = {};
	for (const token of rest) {
		const match = /^([a-z][a-z0-9_-]*):(.*)$/s.exec(token);
		if (match?.[1] !== undefined && match[2] !== undefined) options[match[1]] = match[2];
		else words.push(token);
	}
	return { kind: 'command', actor, name, words, options };
}

export function parseAction(line: string): Action {
	const trimmed = line.trim();
	let tokens = tokenize(trimmed);
	let actor: string | null = null;
	if (tokens[0]?.toLowerCase() === 'as') {
		actor = tokens[1] ?? null;
		if (!actor || tokens.length < 3) throw new ActionSyntaxError('use: as NAME <action>, e.g. as alice click Pressure');
		tokens = tokens.slice(2);
	}
	const [first = '', ...rest] = tokens;
	const verb = first.toLowerCase();
	if (first.startsWith('/')) return parseCommand(tokens, actor);
	switch (verb) {
		case 'click': {
			const trailing = takeTrailingActor(rest);
			const label = trailing.tokens.join(' ');
			if (!label) throw new ActionSyntaxError('use: click LABEL [as NAME]');
			return { kind: 'click', actor: trailing.actor ?? actor, label };
		}
		case 'choose': {
			const trailing = takeTrailingActor(rest);
			const [placeholder, ...valueTokens] = trailing.tokens;
			const values = valueTokens
				.join(' ')
				.split(',')
				.map((value) => value.trim())
				.filter(Boolean);
			if (!placeholder || values.length === 0)
				throw new ActionSyntaxError('use: choose PLACEHOLDER VALUE[,VALUE…] [as NAME]');
			return { kind: 'choose', actor: trailing.actor ?? actor, placeholder, values };
		}
		case 'complete': {
			const command = parseCommand(rest, actor);
			if (command.kind !== 'command') throw new ActionSyntaxError('use: complete /command option:partial');
			const focused = Object.keys(command.options).at(-1);
			if (!focused)
				throw new ActionSyntaxError('use: complete /command option:partial (the last option is the one being typed)');
			return { ...command, kind: 'complete', focused };
		}
		case 'advance': {
			const text = rest.join('');
			return { kind: 'advance', ms: parseAdvance(text), text };
		}
		case 'restart':
			return { kind: 'restart' };
		case 'help':
		case '?':
			return { kind: 'help' };
		default:
			throw new ActionSyntaxError(
				`unknown action "${first}". Actions: /command …, as NAME …, click LABEL, choose PLACEHOLDER VALUE, complete /command option:text, advance 2h, restart`,
			);
	}
}

export const ACTIONS_HELP = [
	'Actions (one per line):',
	'  /deal leapday                      run a slash command (first required option may be bare)',
	'  /poll start question:"Lunch?" duration:1h   options as name:value, quotes for spaces',
	'  as alice /deal hanoi               act as another member (created on first use; "mod" is a moderator)',
	'  click Pressure [as bob]            press a button on the latest message that has it',
	'  choose "Pick a deal" singapore2018 pick from a select menu (e.g. after /deal 2018)',
	'  complete /deal name:lea            show autocomplete choices for what is being typed',
	'  advance 2h                         move the bot clock forward, firing what falls due',
	'  restart                            stop the bot and start it again on the same store',
	'  quit                               leave',
].join('\n');
