import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationCommandOptionType, InteractionResponseType, PermissionFlagsBits } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deployCommands } from '../../src/deploy.js';
import { TrySession } from '../../src/local/session.js';
import { type InteractionRecord, StandInUsageError } from '../../src/local/standin/server.js';
import type { GuildState, MessageState, UserState } from '../../src/local/standin/state.js';

/**
 * Thousands of random interactions through the stand-in: commands built from the registered definitions (so new
 * commands are fuzzed without touching this file), autocomplete, clicks and picks on real messages, forged
 * custom_ids, members with and without permissions, a second server and DMs. Afterwards the bot must still answer,
 * every interaction must have had exactly one initial response within 3 seconds, and nothing may have failed
 * unexpectedly. FUZZ_SEED replays a run's random choices (which messages exist to click still depends on the bot's
 * timing, so a replay is close, not exact); FUZZ_COUNT changes how many interactions are sent.
 */

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const TARGET = Number(process.env.FUZZ_COUNT ?? 3_000);
const BATCH = 20;

/** mulberry32: small, fast and good enough to drive a fuzzer reproducibly from one 32-bit seed. */
class Random {
	private state: number;
	constructor(seed: number) {
		this.state = seed >>> 0;
	}
	next(): number {
		this.state = (this.state + 0x6d2b79f5) >>> 0;
		let t = this.state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	}
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}
	chance(probability: number): boolean {
		return this.next() < probability;
	}
	pick<T>(items: readonly T[]): T {
		const item = items[Math.floor(this.next() * items.length)];
		if (item === undefined) throw new Error('pick from an empty list');
		return item;
	}
	subset<T>(items: readonly T[], probability: number): T[] {
		return items.filter(() => this.chance(probability));
	}
	/** A key of `weights` chosen with probability proportional to its weight. */
	weighted<K extends string>(weights: Record<K, number>): K {
		const entries = Object.entries(weights) as [K, number][];
		let roll = this.next() * entries.reduce((sum, [, weight]) => sum + weight, 0);
		for (const [key, weight] of entries) {
			roll -= weight;
			if (roll < 0) return key;
		}
		return (entries.at(-1) as [K, number])[0];
	}
}

// The registered command definitions, as much of them as the generator needs (Discord's JSON shape).
const Choice = z.object({ name: z.string(), value: z.union([z.string(), z.number()]) });
const LeafOption = z.object({
	name: z.string(),
	type: z.number(),
	required: z.boolean().optional(),
	autocomplete: z.boolean().optional(),
	choices: z.array(Choice).optional(),
	min_length: z.number().optional(),
	max_length: z.number().optional(),
	min_value: z.number().optional(),
	max_value: z.number().optional(),
});
type LeafOption = z.infer<typeof LeafOption>;
const TopOption = LeafOption.extend({ options: z.array(LeafOption).optional() });
const CommandDefinition = z.object({
	name: z.string(),
	default_member_permissions: z.string().nullable().optional(),
	options: z.array(TopOption).optional(),
});
type CommandDefinition = z.infer<typeof CommandDefinition>;

type Kind = 'command' | 'autocomplete' | 'click' | 'select' | 'forged';
type Where = 'server' | 'second server' | 'dm';

interface Sent {
	readonly kind: Kind;
	readonly record: InteractionRecord;
	readonly what: string;
}

const ZERO_WIDTH = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad'];
const BIDI = ['\u202e', '\u202d', '\u202a', '\u202b', '\u2066', '\u2067', '\u2068', '\u2069', '\u200f', '\u061c'];
const DURATIONS = [
	'30m',
	'1h',
	'2h',
	'1m',
	'90s',
	'3d',
	'32d',
	'33d',
	'0m',
	'-1h',
	'1e9h',
	'24h',
	'forever',
	'1.5h',
	'2 days',
];
const MARKDOWN = [
	'**bold** __underline__ ~~strike~~ ||spoiler|| `code` *it*',
	'```js\nprocess.exit(1)\n```',
	'> quoted\n>>> block quote',
	'# Heading\n## Sub\n-# small',
	'[click me](https://example.com) <https://example.com>',
	'\\*escaped\\* \\`tick\\`',
	'||'.repeat(50),
	'`'.repeat(99),
	'- list\n1. numbered',
];
const STRANGE = [
	"'; DROP TABLE polls; --",
	'{"__proto__":{"admin":true}}',
	'__proto__',
	'constructor',
	'toString',
	'hasOwnProperty',
	'null',
	'undefined',
	'NaN',
	'-0',
	'Infinity',
	// biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection attempt, on purpose
	'${process.exit()}',
	'%s%s%n%d',
	'../../etc/passwd',
	'poll:vote:abc:1',
	'<script>alert(1)</script>',
	'\ud800',
	'\udfff lone',
	'a\u0000b',
];
const KOREAN = ['북한 비핵화 협상', '조선민주주의인민공화국', '제재 완화', '영변 핵시설 폐기', '하노이 회담 2019'];
const EMOJI = ['☢️', '🇰🇵🇺🇸', '👨‍👩‍👧‍👦', '🕊️💣', '🏳️‍🌈', '✋🏿', '🤝'];

function snowflake(random: Random): string {
	return String(random.int(100_000_000, 999_999_999)) + String(random.int(100_000_000, 999_999_999));
}

function controlCharacters(random: Random, length: number): string {
	return Array.from({ length }, () =>
		String.fromCharCode(random.chance(0.8) ? random.int(0, 31) : random.int(0x7f, 0x9f)),
	).join('');
}

function unicodeSoup(random: Random, length: number): string {
	let text = '';
	while (text.length < length) {
		const roll = random.next();
		if (roll < 0.4) text += String.fromCharCode(random.int(0x20, 0x7e));
		else if (roll < 0.6) text += String.fromCharCode(random.int(0xac00, 0xd7a3));
		else if (roll < 0.7) text += random.pick(ZERO_WIDTH);
		else if (roll < 0.75) text += random.pick(BIDI);
		else if (roll < 0.85) text += random.pick(EMOJI);
		else if (roll < 0.9) text += String.fromCharCode(random.int(0x300, 0x36f));
		else text += ' ';
	}
	return text.slice(0, length);
}

interface Vocabulary {
	readonly deals: readonly string[];
	readonly concessions: readonly string[];
	pollIds(guildId: string | null): string[];
}

/** Text a member might paste into any string option, from the harmless to the hostile. */
function anyText(random: Random, words: Vocabulary, guildId: string | null): string {
	const kind = random.weighted({
		empty: 2,
		blank: 2,
		long: 3,
		control: 3,
		zeroWidth: 3,
		bidi: 3,
		markdown: 4,
		mention: 5,
		emoji: 2,
		korean: 3,
		deal: 6,
		concession: 6,
		duration: 3,
		pollId: 3,
		strange: 4,
		soup: 3,
		mixed: 5,
	});
	switch (kind) {
		case 'empty':
			return '';
		case 'blank':
			return random.pick([' ', '   ', '\t', '\n\n', '\u3000', '\u00a0\u00a0']);
		case 'long': {
			const length = random.int(1_000, 6_000);
			return random.chance(0.5) ? 'x'.repeat(length) : `${random.pick(words.deals)} `.repeat(length).slice(0, length);
		}
		case 'control':
			return controlCharacters(random, random.int(1, 40));
		case 'zeroWidth':
			return random.chance(0.5)
				? Array.from({ length: random.int(1, 30) }, () => random.pick(ZERO_WIDTH)).join('')
				: [...random.pick(words.deals)].join(random.pick(ZERO_WIDTH));
		case 'bidi':
			return `${random.pick(BIDI)}${random.pick([...words.deals, ...KOREAN])}${random.chance(0.5) ? random.pick(BIDI) : ''}`;
		case 'markdown':
			return random.pick(MARKDOWN);
		case 'mention':
			return random.pick([
				'@everyone',
				'@here',
				`<@&${snowflake(random)}>`,
				`<@${snowflake(random)}>`,
				`<@!${snowflake(random)}>`,
				`<#${snowflake(random)}>`,
				`<t:${random.int(0, 2 ** 31)}:R>`,
				'<:parley:123456789012345678>',
				'</poll start:123456789012345678>',
				`@everyone @here <@&${snowflake(random)}> ping!`,
			]);
		case 'emoji':
			return random.pick(EMOJI).repeat(random.int(1, 10));
		case 'korean':
			return random.pick(KOREAN);
		case 'deal':
			return random.pick(words.deals);
		case 'concession':
			return random.chance(0.5)
				? random.pick(words.concessions)
				: random.subset(words.concessions, 0.15).join(random.pick([', ', ',', ';', ' and ', ',,, ']));
		case 'duration':
			return random.pick(DURATIONS);
		case 'pollId':
			return random.pick([...words.pollIds(guildId), ...words.pollIds(null), 'zzzzzz', '0']);
		case 'strange':
			return random.pick(STRANGE);
		case 'soup':
			return unicodeSoup(random, random.int(1, 300));
		case 'mixed':
			return Array.from({ length: random.int(2, 4) }, () => anyText(random, words, guildId)).join(
				random.pick(['', ' ', '; ', '\n']),
			);
	}
}

/** Text that fits the option most of the time (valid names, lists, durations), anything else otherwise. */
function stringValue(random: Random, option: LeafOption, words: Vocabulary, guildId: string | null): string {
	if (option.choices && option.choices.length > 0 && random.chance(0.8)) {
		const choice = random.pick(option.choices);
		return random.chance(0.7) ? String(choice.value) : choice.name;
	}
	let text = anyText(random, words, guildId);
	if (random.chance(0.45)) {
		const fitting: Record<string, () => string> = {
			name: () => random.pick(words.deals),
			deal: () => random.pick(words.deals),
			concession: () => random.pick(words.concessions),
			us_gives: () => random.subset(words.concessions, 0.1).join(', ') || random.pick(words.concessions),
			nk_gives: () => random.subset(words.concessions, 0.1).join(', ') || random.pick(words.concessions),
			duration: () => random.pick(DURATIONS),
			poll: () => random.pick([...words.pollIds(guildId), 'nope']),
			choices: () =>
				Array.from({ length: random.int(0, 12) }, () => anyText(random, words, guildId).slice(0, 120)).join('; '),
			question: () => `${random.pick(['Pressure or compromise', 'Should we talk', '북한?', '@everyone vote'])}?`,
		};
		text = fitting[option.name]?.() ?? text;
	}
	// Discord's client enforces min/max length; now and then send what it would refuse, to check the stand-in does.
	if (random.chance(0.9)) {
		if (option.max_length !== undefined) text = text.slice(0, option.max_length);
		if (option.min_length !== undefined && text.length < option.min_length) text = text.padEnd(option.min_length, 'x');
	}
	return text;
}

function numberValue(random: Random, option: LeafOption, integer: boolean): string {
	const min = option.min_value ?? -1_000;
	const max = option.max_value ?? 1_000;
	const kind = random.weighted({ inRange: 6, edge: 3, outside: 2, huge: 1, junk: 1 });
	const value =
		kind === 'inRange'
			? integer
				? random.int(Math.ceil(min), Math.floor(max))
				: min + random.next() * (max - min)
			: kind === 'edge'
				? random.pick([min, max, 0, -1, 1])
				: kind === 'outside'
					? random.pick([min - 1, max + 1, -(2 ** 31), 2 ** 31])
					: kind === 'huge'
						? random.pick([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e20])
						: null;
	if (value === null) return random.pick(['', 'ten', '1.5', '0x10', '1e3', ' 7 ', '٣', 'NaN']);
	return integer ? BigInt(Math.trunc(value)).toString() : String(value);
}

describe('fuzzing the bot through the stand-in', () => {
	let session: TrySession;
	let logDir: string;
	let second: GuildState;
	const unhandled: unknown[] = [];
	const uncaught: unknown[] = [];
	const onRejection = (reason: unknown) => unhandled.push(reason);
	const onUncaught = (error: unknown) => uncaught.push(error);

	beforeAll(async () => {
		// The bot runs in this process, so a promise it forgets to handle or an exception it throws lands here.
		process.on('unhandledRejection', onRejection);
		process.on('uncaughtExceptionMonitor', onUncaught);
		logDir = mkdtempSync(join(tmpdir(), 'parley-fuzz-'));
		session = await TrySession.start({ logLevel: 'warn', logFile: join(logDir, 'bot.log') });
		// The session registers the commands in its test server only. Registering them globally as well, as a
		// production deploy without DISCORD_GUILD_ID does, lets the fuzz reach the bot from DMs and a second server.
		const { DISCORD_GUILD_ID: _testServer, ...globalConfig } = session.config;
		await deployCommands(globalConfig);
		second = session.standIn.addGuild({ name: 'Fuzz Two', channels: ['general', 'debate', 'locked'] });
		const locked = session.standIn.findChannel(second, 'locked');
		if (locked) session.standIn.denyBot(locked, PermissionFlagsBits.SendMessages | PermissionFlagsBits.AttachFiles);
		const joined = await session.standIn.waitFor(() => session.running.client.guilds.cache.has(second.id), 10_000);
		if (!joined) throw new Error('the bot never saw the second server');
	});

	afterAll(async () => {
		process.off('unhandledRejection', onRejection);
		process.off('uncaughtExceptionMonitor', onUncaught);
		await session?.stop();
		rmSync(logDir, { recursive: true, force: true });
	});

	it(`survives ${TARGET} random interactions (seed ${SEED})`, async () => {
		const random = new Random(SEED);
		const { standIn } = session;
		const library = session.running.ctx.library;
		const first = standIn.defaultGuild;
		const started = Date.now();

		// Members: most plain, some moderators, a few with names markdown would mangle, the server owner.
		const plain = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory'];
		const oddNames = ['__init__', 'a_b_c', 'x.y', '_', 'everyone', 'here', 'l33t_h4x0r'];
		const moderators = ['mod', 'moda', 'modb', 'modc'];
		const members = new Map<string, UserState[]>();
		const moderatorsOf = new Map<string, UserState[]>();
		const enrol = (guild: GuildState, names: readonly string[], roles: readonly string[]) => {
			const joined = names.map((name) => standIn.member(name, guild, roles));
			members.set(guild.id, [...(members.get(guild.id) ?? []), ...joined]);
			if (roles.includes('Moderator') || names.includes('owner'))
				moderatorsOf.set(guild.id, [...(moderatorsOf.get(guild.id) ?? []), ...joined]);
		};
		enrol(first, plain, []);
		enrol(first, oddNames, []);
		enrol(first, ['debater1', 'debater2'], ['Debaters']);
		enrol(first, moderators, ['Moderator']);
		enrol(first, ['owner'], []);
		enrol(second, plain.slice(0, 6), []);
		enrol(second, ['moda', 'secondmod'], ['Moderator']);
		enrol(second, ['stranger1', 'stranger2', '__init__'], []);
		const dmOnly = ['dmuser', 'alice', 'nobody_here'].map((name) => standIn.member(name, first, []));
		const memberNames = [...plain, ...oddNames, ...moderators, 'newcomer', 'zed', '@alice', 'ghost'];

		const dealWords = library.deals.flatMap((deal) => [
			deal.id,
			deal.name,
			...deal.aliases,
			deal.date.start.slice(0, 4),
			deal.date.start,
		]);
		const concessionWords = library.catalog.concessions.flatMap((item) => [item.id, item.name, ...item.aliases]);
		const pollIdsIn = (guildId: string | null): string[] => {
			const ids = new Set<string>();
			for (const message of standIn.messages.values()) {
				if (guildId !== null && message.guildId !== guildId) continue;
				for (const customId of customIdsOf(message)) {
					const match = /^poll:\w+:([A-Za-z0-9]+)/.exec(customId);
					if (match?.[1]) ids.add(match[1]);
				}
			}
			return [...ids];
		};
		let pollIdCache: { at: number; ids: Map<string, string[]> } = { at: -1, ids: new Map() };
		const words: Vocabulary = {
			deals: dealWords,
			concessions: concessionWords,
			pollIds(guildId) {
				if (pollIdCache.at !== standIn.messages.size) pollIdCache = { at: standIn.messages.size, ids: new Map() };
				const key = guildId ?? '*';
				const cached = pollIdCache.ids.get(key) ?? pollIdsIn(guildId);
				pollIdCache.ids.set(key, cached);
				return cached;
			},
		};

		const sent: Sent[] = [];
		const refused: Record<Kind, number> = { command: 0, autocomplete: 0, click: 0, select: 0, forged: 0 };
		const describeRecord = new Map<string, string>();

		// A few polls open from the start in each server, so votes, results and closing are fuzzed from the first batch.
		for (const guild of [first, second]) {
			const starter = random.pick(moderatorsOf.get(guild.id) ?? []);
			const polls: Record<string, string>[] = [
				{ question: 'Pressure or compromise with Pyongyang?', duration: '1h' },
				{ question: 'How far should Washington go?', style: 'scale', anonymous: 'false', deal: 'hanoi' },
				{
					question: '**Which** @everyone <@&1>?',
					style: 'custom',
					choices: 'A; **B**; @here; <@1>; 북한',
					duration: '2d',
				},
				{ question: 'Hidden count', style: 'yes-no', hide_results: 'true', voter_role: 'Debaters' },
			];
			for (const options of polls) {
				const record = standIn.command(starter, { name: 'poll', subcommand: 'start', options }, { guildId: guild.id });
				const what = `setup: ${starter.username} starts ${JSON.stringify(options)} in ${guild.name}`;
				describeRecord.set(record.id, what);
				sent.push({ kind: 'command', record, what });
				const outputs = await standIn.settle(record, 20);
				expect(outputs.at(-1)?.message?.content, what).toMatch(/^Poll started: /);
			}
		}

		const place = (): { where: Where; guild: GuildState | null; channelId?: string } => {
			const where = random.weighted<Where>({ server: 65, 'second server': 22, dm: 13 });
			if (where === 'dm') return { where, guild: null };
			const guild = where === 'server' ? first : second;
			return { where, guild, channelId: random.pick([...guild.channels.values()]).id };
		};

		/**
		 * Discord shows a command with default_member_permissions only to members who have them (unless a server admin
		 * opens it up), so such commands usually come from moderators; everything else from anyone.
		 */
		const actorFor = (guild: GuildState | null, definition: CommandDefinition): UserState => {
			if (!guild) return random.pick(dmOnly);
			const restricted =
				definition.default_member_permissions !== null && definition.default_member_permissions !== undefined;
			const moderators = moderatorsOf.get(guild.id) ?? [];
			if (restricted && moderators.length > 0 && random.chance(0.7)) return random.pick(moderators);
			return random.pick(members.get(guild.id) ?? []);
		};

		const valueFor = (option: LeafOption, guild: GuildState | null): string => {
			switch (option.type) {
				case ApplicationCommandOptionType.String:
					return stringValue(random, option, words, guild?.id ?? null);
				case ApplicationCommandOptionType.Integer:
					return numberValue(random, option, true);
				case ApplicationCommandOptionType.Number:
					return numberValue(random, option, false);
				case ApplicationCommandOptionType.Boolean:
					return random.pick(['true', 'false', 'yes', 'no', 'maybe']);
				case ApplicationCommandOptionType.User:
				case ApplicationCommandOptionType.Mentionable:
					return random.pick(memberNames);
				case ApplicationCommandOptionType.Channel:
					return random.pick(['general', 'debate', 'locked', '#general', 'nowhere']);
				case ApplicationCommandOptionType.Role:
					return random.pick(['Moderator', 'Debaters', '@everyone', 'Parley', 'Admins', '']);
				default:
					return anyText(random, words, guild?.id ?? null);
			}
		};

		/** A command line for one registered command: a subcommand, required options (usually), some optional ones. */
		const commandLine = (definition: CommandDefinition, guild: GuildState | null, focus: boolean) => {
			const top = definition.options ?? [];
			let leaves: LeafOption[] = top;
			let subcommand: string | undefined;
			const subcommands = top.filter((option) => option.type === ApplicationCommandOptionType.Subcommand);
			if (subcommands.length > 0) {
				const chosen = random.chance(0.97) ? random.pick(subcommands) : undefined;
				subcommand = chosen?.name ?? 'nosuchsub';
				leaves = chosen?.options ?? [];
			}
			const options: Record<string, string> = {};
			for (const option of leaves) {
				if (option.required ? random.chance(0.97) : random.chance(0.45)) options[option.name] = valueFor(option, guild);
			}
			let focused: LeafOption | undefined;
			if (focus) {
				const completable = leaves.filter((option) => option.autocomplete);
				if (completable.length === 0) return null;
				focused = random.pick(completable);
				const full = valueFor(focused, guild);
				options[focused.name] = random.chance(0.6) ? full.slice(0, random.int(0, Math.min(full.length, 12))) : full;
			}
			return { name: definition.name, ...(subcommand ? { subcommand } : {}), options, focused: focused?.name };
		};

		const sendCommand = (focus: boolean): Sent | null => {
			const kind: Kind = focus ? 'autocomplete' : 'command';
			const { where, guild, channelId } = place();
			const definitions = standIn.commandsFor(guild?.id ?? null).map((json) => CommandDefinition.parse(json));
			const definition = random.pick(definitions);
			const user = actorFor(guild, definition);
			const line = commandLine(definition, guild, focus);
			if (!line) return null;
			const actor = where === 'dm' ? { dm: true } : { guildId: guild?.id, ...(channelId ? { channelId } : {}) };
			const what = `${kind} as ${user.username} in ${where}: /${line.name}${line.subcommand ? ` ${line.subcommand}` : ''} ${JSON.stringify(line.options).slice(0, 300)}${line.focused ? ` (typing ${line.focused})` : ''}`;
			try {
				const record =
					focus && line.focused
						? standIn.autocomplete(user, line, line.focused, actor)
						: standIn.command(user, line, actor);
				return { kind, record, what };
			} catch (error) {
				if (!(error instanceof StandInUsageError)) throw error;
				refused[kind] += 1;
				return null;
			}
		};

		/** Bot messages with buttons or menus in server channels (the stand-in has no components in DMs). */
		const interactive = (): MessageState[] =>
			[...standIn.messages.values()].filter(
				(message) => !message.deleted && message.guildId !== null && message.components.length > 0,
			);

		const clickerOf = (message: MessageState): UserState | null => {
			if (message.visibleTo) return standIn.users.get(message.visibleTo) ?? null;
			return random.pick(members.get(message.guildId ?? '') ?? []);
		};

		const sendComponent = (kind: 'click' | 'select'): Sent | null => {
			const candidates = interactive().filter((message) =>
				componentsOf(message).some((item) => (kind === 'click' ? item.type === 2 : item.type === 3)),
			);
			if (candidates.length === 0) return null;
			// Poll cards draw many clicks however old they are; otherwise newer messages are likelier, as in a channel.
			const cards = candidates.filter(
				(message) => message.visibleTo === null && customIdsOf(message).some((id) => id.startsWith('poll:vote:')),
			);
			const message =
				kind === 'click' && cards.length > 0 && random.chance(0.35)
					? random.pick(cards)
					: candidates[Math.max(0, candidates.length - 1 - Math.floor(random.next() ** 3 * candidates.length))];
			if (!message) return null;
			const user = clickerOf(message);
			if (!user) return null;
			const component = random.pick(
				componentsOf(message).filter((item) => (kind === 'click' ? item.type === 2 : item.type === 3)),
			);
			try {
				if (kind === 'click') {
					const record = standIn.click(user, message, component.custom_id);
					return { kind, record, what: `click ${component.custom_id} as ${user.username}` };
				}
				const values = random.subset(component.values, 0.5).slice(0, component.maxValues);
				if (values.length === 0 && component.values[0]) values.push(component.values[0]);
				const record = standIn.select(user, message, component.custom_id, values);
				return { kind, record, what: `select ${component.custom_id} ${JSON.stringify(values)} as ${user.username}` };
			} catch (error) {
				if (!(error instanceof StandInUsageError)) throw error;
				refused[kind] += 1;
				return null;
			}
		};

		const forgedCustomId = (message: MessageState): string => {
			const here = words.pollIds(message.guildId);
			const elsewhere = words.pollIds(null).filter((id) => !here.includes(id));
			const dealId = random.pick(library.deals).id;
			return random.pick([
				() => unicodeSoup(random, random.int(0, 120)),
				() => Array.from({ length: random.int(0, 100) }, () => String.fromCharCode(random.int(0x21, 0x7e))).join(''),
				() =>
					`poll:vote:${random.pick([...here, ...elsewhere, 'x', 'A'.repeat(20), 'A'.repeat(21), ''])}:${random.pick(['0', '1', '9', '10', '-1', '1e1', 'x', '', '99999999999999999999'])}`,
				() =>
					`poll:${random.pick(['results', 'brief', 'cases', 'close', 'vote', 'start'])}:${random.pick([...elsewhere, ...here, 'nope'])}`,
				() => `poll:vote:${random.pick(elsewhere.length > 0 ? elsewhere : ['abc'])}:0`,
				() => 'deal:view:x:y:z',
				() =>
					`deal:${random.pick(['view', 'page'])}:${random.pick([dealId, 'nosuchdeal', '__proto__'])}:${random.pick(['summary', 'timeline', 'sources', 'lessons', 'bogus'])}:${random.pick(['0', '1', '7', '50', '51', '-1', '1.5', 'NaN'])}`,
				() => `deal:show:${random.pick([dealId, 'nosuchdeal', 'constructor', 'toString'])}`,
				() => random.pick(['deal:show', 'deal:pick', 'deal:pick:extra', 'poll:vote', 'poll', 'poll:', ':', ':::', '']),
				() =>
					`balance:${random.pick(['apply', 'split', 'how', 'nope'])}:${random.pick(['', '0', 'zzzz', 'A'.repeat(60), '-', '__proto__'])}`,
				() =>
					`${random.pick(['help', 'weights', 'deals', 'nosuchcommand', 'POLL', 'Poll'])}:${random.pick(['set', 'x', 'vote'])}:1`,
				() => `poll:vote:${'a'.repeat(random.int(90, 200))}:1`,
				() => `poll:vote:${random.pick([...here, 'x'])}:0:extra:args`,
				() => {
					const realIds = interactive().flatMap(customIdsOf);
					const real = realIds.length > 0 ? random.pick(realIds) : 'poll:vote:x:0';
					return random.chance(0.5) ? `${real}:extra` : real.split(':').slice(0, -1).join(':');
				},
			])();
		};

		const sendForged = (): Sent | null => {
			const all = [...standIn.messages.values()].filter((message) => !message.deleted && message.guildId !== null);
			if (all.length === 0) return null;
			const message = random.pick(all);
			const user = clickerOf(message) ?? random.pick(members.get(message.guildId ?? '') ?? []);
			const customId = forgedCustomId(message);
			const select = random.chance(0.25);
			const data = select
				? {
						custom_id: customId,
						component_type: 3,
						values: random.pick([
							[],
							[random.pick(library.deals).id],
							['nosuchdeal'],
							['x'.repeat(200)],
							[random.pick(library.deals).id, 'extra'],
						]),
					}
				: { custom_id: customId, component_type: 2 };
			try {
				const record = standIn.component(user, message, data);
				return { kind: 'forged', record, what: `forged ${JSON.stringify(data).slice(0, 300)} as ${user.username}` };
			} catch (error) {
				if (!(error instanceof StandInUsageError)) throw error;
				refused.forged += 1;
				return null;
			}
		};

		const sendOne = (): Sent | null => {
			const kind = random.weighted<Kind>({ command: 46, autocomplete: 16, click: 20, select: 4, forged: 14 });
			if (kind === 'command' || kind === 'autocomplete') return sendCommand(kind === 'autocomplete');
			if (kind === 'forged') return sendForged();
			return sendComponent(kind);
		};

		let batches = 0;
		let clockJumps = 0;
		while (sent.length < TARGET) {
			batches += 1;
			// Twice in the run, time jumps ahead: polls close (and render their charts) while members keep clicking.
			if (clockJumps < 2 && sent.length >= TARGET * (clockJumps === 0 ? 0.4 : 0.75)) {
				clockJumps += 1;
				session.clock.advance(random.pick([2 * 3_600_000, 3 * 86_400_000, 40 * 86_400_000]));
			}
			const batch: Sent[] = [];
			for (
				let attempt = 0;
				attempt < BATCH * 3 && batch.length < BATCH && sent.length + batch.length < TARGET;
				attempt++
			) {
				const one = sendOne();
				if (one) {
					batch.push(one);
					describeRecord.set(one.record.id, one.what);
				}
			}
			sent.push(...batch);
			await Promise.all(batch.map((item) => item.record.acked));
			// A deferred reply is finished by an edit; wait for it so the next batch can click what it shows.
			await standIn.waitFor(
				() =>
					batch.every(
						(item) =>
							item.record.ack?.type !== InteractionResponseType.DeferredChannelMessageWithSource ||
							item.record.outputs.some((output) => output.kind === 'edit-original' || output.kind === 'followup'),
					),
				10_000,
			);
		}
		await session.quiet(200, 20_000);

		const bySent = countBy(sent.map((item) => item.kind));
		const answers = countBy(sent.map((item) => item.record.outputs[0]?.kind ?? 'none'));
		const latencies = sent.map((item) => (item.record.ack ? item.record.ack.at - item.record.createdAt : Infinity));
		const sorted = [...latencies].sort((a, b) => a - b);
		const percentile = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
		const logFile = join(logDir, 'bot.log');
		const warnings = (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '')
			.split('\n')
			.filter((line) => line.includes('"level":40'));
		const totalRefused = Object.values(refused).reduce((sum, count) => sum + count, 0);
		console.log(
			`fuzz seed=${SEED} sent=${sent.length} in ${batches} batches of ≤${BATCH} (${format(bySent)}) · refused by the client=${totalRefused} (${format(refused)}) · bot answers: ${format(answers)} · ack ms p50=${percentile(0.5)} p99=${percentile(0.99)} max=${sorted.at(-1)} · clock jumps=${clockJumps} · polls seen=${words.pollIds(null).length} vote clicks=${sent.filter((item) => item.what.startsWith('click poll:vote:')).length} · bot warnings=${warnings.length} errors=${session.errors.length} violations=${standIn.violations.length} unhandled rejections=${unhandled.length} · ${((Date.now() - started) / 1000).toFixed(1)} s`,
		);

		const explain = (interactionId: string | undefined) =>
			interactionId ? (describeRecord.get(interactionId) ?? 'not from the fuzz') : 'no interaction';
		const context = `seed ${SEED} (replay with FUZZ_SEED=${SEED})`;
		expect(
			standIn.violations.map(
				(violation) => `${violation.rule}: ${violation.detail} ← ${explain(violation.interactionId)}`,
			),
			context,
		).toEqual([]);
		expect(
			sent
				.filter((item) => item.record.ack === null || item.record.expired)
				.map((item) => `no timely answer ← ${item.what}`),
			context,
		).toEqual([]);
		// User text is echoed in many replies; control characters and bidi overrides in it could hide or reorder
		// what the bot says (the "Trojan Source" trick), so none may reach a message.
		const hidden = standIn.outputs.flatMap((output) => {
			const message = output.message;
			const found = message
				? invisibleIn(stringsIn([message.content, message.embeds, message.components]).join('\n'))
				: null;
			return found === null
				? []
				: [`${output.kind} shows ${JSON.stringify(found)} ← ${explain(output.interactionId ?? undefined)}`];
		});
		expect(hidden, context).toEqual([]);
		expect(session.errors, context).toEqual([]);
		expect(warnings, context).toEqual([]);
		expect(unhandled.map(String), context).toEqual([]);
		expect(uncaught.map(String), context).toEqual([]);
		expect(sent.length).toBe(TARGET);
		// Most generated interactions reach the bot; a generator that mostly made impossible ones would test little.
		expect(totalRefused, 'interactions the client refused to send').toBeLessThan(TARGET * 0.15);
		// Every kind of interaction was exercised, and most reached the bot rather than being refused by the client.
		for (const kind of ['command', 'autocomplete', 'click', 'select', 'forged'] as const)
			expect(bySent[kind] ?? 0, `${kind} interactions sent`).toBeGreaterThan(0);

		const help = await session.run('/help');
		expect(help.ok, help.error).toBe(true);
		expect(help.text).toContain('Parley');
	}, 150_000);
});

/** C0 controls other than tab and newline, DEL, and the bidi embedding, override and isolate characters. */
function isInvisible(code: number): boolean {
	return (
		(code <= 0x1f && code !== 0x09 && code !== 0x0a) ||
		code === 0x7f ||
		(code >= 0x202a && code <= 0x202e) ||
		(code >= 0x2066 && code <= 0x2069)
	);
}

/** The first invisible character in the text with some context around it, or null. */
function invisibleIn(text: string): string | null {
	for (let index = 0; index < text.length; index++) {
		if (isInvisible(text.charCodeAt(index))) return text.slice(Math.max(0, index - 30), index + 30);
	}
	return null;
}

function stringsIn(value: unknown): string[] {
	if (typeof value === 'string') return [value];
	if (Array.isArray(value)) return value.flatMap(stringsIn);
	if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(stringsIn);
	return [];
}

interface ComponentInfo {
	readonly type: number;
	readonly custom_id: string;
	readonly values: string[];
	readonly maxValues: number;
}

const Row = z.object({
	components: z.array(
		z.object({
			type: z.number(),
			custom_id: z.string().optional(),
			max_values: z.number().optional(),
			options: z.array(z.object({ value: z.string() })).optional(),
		}),
	),
});

// The generator looks at every message many times per batch; parsing each version once keeps the fuzzer's own CPU
// use from inflating the bot's measured response times.
const parsedComponents = new Map<string, { edits: number; components: ComponentInfo[] }>();

/** Buttons (except links) and string selects on a message, with the values a select offers. */
function componentsOf(message: MessageState): ComponentInfo[] {
	const cached = parsedComponents.get(message.id);
	if (cached?.edits === message.edits) return cached.components;
	const components = parseComponents(message);
	parsedComponents.set(message.id, { edits: message.edits, components });
	return components;
}

function parseComponents(message: MessageState): ComponentInfo[] {
	return message.components.flatMap((row) => {
		const parsed = Row.safeParse(row);
		if (!parsed.success) return [];
		return parsed.data.components.flatMap((item) =>
			item.custom_id && (item.type === 2 || item.type === 3)
				? [
						{
							type: item.type,
							custom_id: item.custom_id,
							values: (item.options ?? []).map((option) => option.value),
							maxValues: item.max_values ?? 1,
						},
					]
				: [],
		);
	});
}

function customIdsOf(message: MessageState): string[] {
	return componentsOf(message).map((item) => item.custom_id);
}

function countBy(values: readonly string[]): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
	return counts;
}

function format(counts: Record<string, number>): string {
	return Object.entries(counts)
		.map(([key, count]) => `${key} ${count}`)
		.join(', ');
}
