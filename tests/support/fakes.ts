import type { Interaction } from 'discord.js';
import { OffsetClock } from '../../src/clock.js';
import type { Config } from '../../src/config.js';
import type { BotContext } from '../../src/context.js';
import { ChannelAccess } from '../../src/discord/channel-access.js';
import type { Command } from '../../src/discord/command.js';
import { MemberRateLimit } from '../../src/discord/rate-limit.js';
import { loadLibrary } from '../../src/library.js';
import { createLogger, type Logger } from '../../src/logger.js';
import type { Store } from '../../src/store/keyv.js';

export interface LogLine {
	level: number;
	msg: string;
	[key: string]: unknown;
}

export function collectingLogger(): { logger: Logger; lines: LogLine[] } {
	const lines: LogLine[] = [];
	const logger = createLogger({
		level: 'debug',
		secrets: [],
		destination: { write: (line) => lines.push(JSON.parse(line) as LogLine) },
	});
	return { logger, lines };
}

export function testContext(commands: readonly Command[], logger: Logger): BotContext {
	const config: Config = { DISCORD_TOKEN: 'test-token', STORE_URL: 'sqlite://:memory:', LOG_LEVEL: 'debug' };
	const store = { backend: 'sqlite', location: ':memory:', close: async () => {} } as unknown as Store;
	const stores = {
		weights: { get: async () => ({}), change: async () => ({}), resetOne: async () => {}, resetAll: async () => {} },
	};
	// The router tests never reach the poll service.
	const polls = {} as BotContext['polls'];
	const clock = new OffsetClock();
	const limits = {
		charts: new MemberRateLimit(clock, 4, 60_000, 'charts'),
		results: new MemberRateLimit(clock, 5, 30_000, 'poll results'),
	};
	// The router tests never ask about channels either.
	const access = new ChannelAccess({
		directory: {
			guildChannels: async () => [],
			channel: async () => null,
		},
		logger,
	});
	// Nor does anything here draw a picture.
	const charts = {} as BotContext['charts'];
	return { config, logger, clock, store, library: loadLibrary(), stores, polls, access, charts, limits, commands };
}

export type FakeKind = 'command' | 'autocomplete' | 'button';

export interface FakeInteraction {
	readonly interaction: Interaction;
	readonly replies: { method: string; payload: unknown }[];
}

/** A hand-written stand-in for the few discord.js interaction members the router touches. */
export function fakeInteraction(
	kind: FakeKind,
	options: { commandName?: string; customId?: string; failReply?: boolean } = {},
): FakeInteraction {
	const replies: { method: string; payload: unknown }[] = [];
	const state = { replied: false, deferred: false, responded: false };
	const record = (method: string) => async (payload: unknown) => {
		if (options.failReply) throw new Error('Unknown interaction');
		replies.push({ method, payload });
		if (method === 'respond') state.responded = true;
		else state.replied = true;
	};
	const fake = {
		id: '1440000000000001234',
		user: { id: '1111', username: 'alice' },
		guildId: '2222',
		commandName: options.commandName,
		customId: options.customId,
		get replied() {
			return state.replied;
		},
		get deferred() {
			return state.deferred;
		},
		get responded() {
			return state.responded;
		},
		isChatInputCommand: () => kind === 'command',
		isAutocomplete: () => kind === 'autocomplete',
		isButton: () => kind === 'button',
		isStringSelectMenu: () => false,
		isModalSubmit: () => false,
		isRepliable: () => kind !== 'autocomplete',
		reply: record('reply'),
		followUp: record('followUp'),
		editReply: record('editReply'),
		respond: record('respond'),
	};
	return { interaction: fake as unknown as Interaction, replies };
}
