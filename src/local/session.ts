import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type RunningBot, startBot } from '../bot.js';
import { OffsetClock } from '../clock.js';
import { type Config, loadConfig } from '../config.js';
import { deployCommands } from '../deploy.js';
import type { Command } from '../discord/command.js';
import { createLogger } from '../logger.js';
import { ACTIONS_HELP, type Action, ActionSyntaxError, parseAction } from './actions.js';
import { renderOutput } from './render-text.js';
import {
	type BotOutput,
	DiscordStandIn,
	type InteractionRecord,
	type StandInOptions,
	StandInUsageError,
} from './standin/server.js';
import type { MessageState, UserState } from './standin/state.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

export interface TrySessionOptions {
	/** SQLite file for the bot; a fresh temporary file when omitted. */
	readonly storePath?: string;
	/** Any STORE_URL instead (redis://, postgres://); overrides storePath. */
	readonly storeUrl?: string;
	/** Key namespace in that store (tests use a fresh one on shared servers). */
	readonly storeNamespace?: string;
	/** Keep the store file when the session ends. */
	readonly keepStore?: boolean;
	/** Where the bot's JSON log lines go (appended). */
	readonly logFile?: string;
	readonly logLevel?: Config['LOG_LEVEL'];
	readonly standIn?: StandInOptions;
	/** The command list to register and serve; Parley's own by default (tests add probes). */
	readonly commands?: readonly Command[];
}

export interface ActionResult {
	readonly line: string;
	readonly ok: boolean;
	/** Why the action failed, in one sentence. */
	readonly error?: string;
	readonly outputs: readonly BotOutput[];
	/** What the console prints for this action. */
	readonly text: string;
}

export class ActionFailure extends Error {
	override readonly name = 'ActionFailure';
}

/**
 * The stand-in for Discord plus the real bot (the same `startBot` as production) on a throw-away store, driven by
 * the action language of `npm run try`. Tests use it too, so what a newcomer sees is what is tested.
 */
export class TrySession {
	readonly errors: string[] = [];
	private bot: RunningBot | null = null;

	private constructor(
		readonly standIn: DiscordStandIn,
		readonly clock: OffsetClock,
		readonly config: Config,
		private readonly options: TrySessionOptions,
		private readonly storePath: string,
	) {}

	static async start(options: TrySessionOptions = {}): Promise<TrySession> {
		const standIn = await DiscordStandIn.start(options.standIn);
		const storePath = options.storePath ?? join(tmpdir(), `parley-try-${process.pid}-${Date.now()}.sqlite`);
		mkdirSync(dirname(storePath), { recursive: true });
		const config = loadConfig({
			DISCORD_TOKEN: standIn.token,
			DISCORD_API_BASE: standIn.apiBase,
			DISCORD_GUILD_ID: standIn.defaultGuild.id,
			STORE_URL: options.storeUrl ?? `sqlite://${storePath}`,
			LOG_LEVEL: options.logLevel ?? 'info',
		});
		const session = new TrySession(standIn, new OffsetClock(), config, options, storePath);
		await deployCommands(config, options.commands);
		await session.startBot();
		return session;
	}

	get running(): RunningBot {
		if (!this.bot) throw new ActionFailure('the bot is not running');
		return this.bot;
	}

	private async startBot(): Promise<void> {
		const logFile = this.options.logFile;
		if (logFile) mkdirSync(dirname(logFile), { recursive: true });
		const logger = createLogger({
			level: this.config.LOG_LEVEL,
			secrets: [this.config.DISCORD_TOKEN],
			destination: {
				write: (line: string) => {
					if (logFile) appendFileSync(logFile, line);
					try {
						const entry = JSON.parse(line) as { level?: number; msg?: string; reference?: string };
						if ((entry.level ?? 0) >= 50)
							this.errors.push(`${entry.msg ?? 'error'}${entry.reference ? ` (ref ${entry.reference})` : ''}`);
					} catch {
						this.errors.push(line.trim());
					}
				},
			},
		});
		this.bot = await startBot({
			config: this.config,
			logger,
			clock: this.clock,
			...(this.options.commands ? { commands: this.options.commands } : {}),
			...(this.options.storeNamespace ? { storeNamespace: this.options.storeNamespace } : {}),
		});
	}

	async restart(): Promise<void> {
		await this.bot?.stop('restart requested from the console');
		this.bot = null;
		await this.startBot();
	}

	async stop(): Promise<void> {
		await this.bot?.stop('console closed');
		this.bot = null;
		await this.standIn.close();
		if (!this.options.keepStore && !this.options.storePath) {
			for (const suffix of ['', '-wal', '-shm', '-journal', '.vote-key'])
				rmSync(`${this.storePath}${suffix}`, { force: true });
		}
	}

	userName = (userId: string): string => this.standIn.users.get(userId)?.username ?? userId;

	mentionName = (kind: 'user' | 'role', id: string): string =>
		kind === 'user'
			? this.userName(id)
			: ([...this.standIn.guilds.values()].map((guild) => guild.roles.get(id)?.name).find(Boolean) ?? id).replace(
					/^@/,
					'',
				);

	/** Runs one action line and reports what the bot did. Never throws. */
	async run(line: string): Promise<ActionResult> {
		const startSeq = this.standIn.outputs.at(-1)?.seq ?? 0;
		const startViolations = this.standIn.violations.length;
		const startErrors = this.errors.length;
		let error: string | undefined;
		let record: InteractionRecord | null = null;
		let note = '';
		try {
			const action = parseAction(line);
			const result = await this.perform(action);
			record = result.record;
			note = result.note;
			if (record) {
				await this.standIn.settle(record);
				if (record.expired || !record.ack) error = 'the bot did not answer within 3 seconds';
			}
		} catch (caught) {
			if (caught instanceof ActionSyntaxError || caught instanceof StandInUsageError || caught instanceof ActionFailure)
				error = caught.message;
			else error = `unexpected: ${caught instanceof Error ? (caught.stack ?? caught.message) : String(caught)}`;
		}
		const outputs = this.standIn.outputs.filter((output) => output.seq > startSeq);
		const violations = this.standIn.violations.slice(startViolations);
		if (!error && violations.length > 0)
			error = `Discord would reject this: ${violations.map((violation) => violation.detail).join('; ')}`;
		const errors = this.errors.slice(startErrors);
		if (!error && errors.length > 0) error = `the bot logged an error: ${errors.join('; ')}`;
		const blocks = outputs.map((output) => renderOutput(output, this.userName, this.mentionName)).filter(Boolean);
		if (note) blocks.unshift(note);
		if (error) blocks.push(`✗ ${error}`);
		return { line, ok: !error, ...(error ? { error } : {}), outputs, text: blocks.join('\n') };
	}

	private async perform(action: Action): Promise<{ record: InteractionRecord | null; note: string }> {
		switch (action.kind) {
			case 'help':
				return { record: null, note: ACTIONS_HELP };
			case 'restart': {
				await this.restart();
				return { record: null, note: '↻ the bot restarted on the same store' };
			}
			case 'advance': {
				// The jump runs the sweep at once; wait for the closes it started, then for the bot to go quiet.
				this.clock.advance(action.ms);
				await this.running.ctx.polls.settled();
				await this.quiet();
				return {
					record: null,
					note: `⏩ advanced the bot clock by ${action.text} (now ${new Date(this.clock.now()).toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
				};
			}
			case 'command':
			case 'complete': {
				const user = this.actor(action.actor);
				const { subcommand, options } = this.resolveCommandLine(action.name, action.words, action.options);
				const commandLine = { name: action.name, options, ...(subcommand ? { subcommand } : {}) };
				const record =
					action.kind === 'complete'
						? this.standIn.autocomplete(user, commandLine, action.focused)
						: this.standIn.command(user, commandLine);
				return { record, note: '' };
			}
			case 'click': {
				const user = this.actor(action.actor);
				const { message, component } = this.findComponent(
					user,
					(item) => item.type === 2 && item.style !== 5,
					(item) => String(item.label ?? ''),
					action.label,
					'button',
				);
				if (component.disabled) throw new ActionFailure(`the [${String(component.label)}] button is disabled`);
				return { record: this.standIn.click(user, message, String(component.custom_id)), note: '' };
			}
			case 'choose': {
				const user = this.actor(action.actor);
				const { message, component } = this.findComponent(
					user,
					(item) => item.type === 3,
					(item) => String(item.placeholder ?? ''),
					action.placeholder,
					'select menu',
				);
				const options = Array.isArray(component.options) ? component.options.filter(isObject) : [];
				const values = action.values.map((wanted) => {
					const lowered = wanted.toLowerCase();
					const option =
						options.find(
							(item) => String(item.value).toLowerCase() === lowered || String(item.label).toLowerCase() === lowered,
						) ?? options.find((item) => String(item.label).toLowerCase().startsWith(lowered));
					if (!option)
						throw new ActionFailure(
							`the menu has no "${wanted}" (choices: ${options.map((item) => String(item.label)).join(', ')})`,
						);
					return String(option.value);
				});
				return { record: this.standIn.select(user, message, String(component.custom_id), values), note: '' };
			}
		}
	}

	private actor(name: string | null): UserState {
		return this.standIn.member(name ?? 'mod');
	}

	/** Picks the subcommand from the first bare word and gives the remaining bare words to the first required option. */
	private resolveCommandLine(
		name: string,
		words: readonly string[],
		given: Record<string, string>,
	): { subcommand?: string; options: Record<string, string> } {
		const definition = this.standIn.findCommand(name, this.standIn.defaultGuild.id);
		let optionDefinitions = Array.isArray(definition.options) ? definition.options.filter(isObject) : [];
		let subcommand: string | undefined;
		let rest = [...words];
		const subcommands = optionDefinitions.filter((option) => option.type === 1);
		if (subcommands.length > 0) {
			subcommand = rest.shift();
			const chosen = subcommands.find((option) => option.name === subcommand);
			if (!chosen)
				throw new ActionFailure(
					`/${name} needs a subcommand: ${subcommands.map((option) => String(option.name)).join(', ')}`,
				);
			optionDefinitions = Array.isArray(chosen.options) ? chosen.options.filter(isObject) : [];
		}
		const options = { ...given };
		if (rest.length > 0) {
			const target =
				optionDefinitions.find((option) => option.required === true && !(String(option.name) in options)) ??
				optionDefinitions.find((option) => !(String(option.name) in options));
			if (!target)
				throw new ActionFailure(`don't know which option "${rest.join(' ')}" is for; write it as option:value`);
			options[String(target.name)] = rest.join(' ');
			rest = [];
		}
		return { ...(subcommand ? { subcommand } : {}), options };
	}

	/** The newest message visible to `user` with a matching component; exact label first, then prefix. */
	private findComponent(
		user: UserState,
		isKind: (item: Json) => boolean,
		labelOf: (item: Json) => string,
		wanted: string,
		what: string,
	): { message: MessageState; component: Json } {
		// Labels may carry symbols ("◀ Previous page", "Next page ▶"); match on the words.
		const words = (label: string) => label.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N})]+$/gu, '').toLowerCase();
		const lowered = words(wanted);
		const messages = this.standIn.visibleMessages(user.id).reverse();
		for (const matches of [
			(label: string) => words(label) === lowered,
			(label: string) => words(label).startsWith(lowered),
		]) {
			for (const message of messages) {
				for (const row of message.components) {
					if (!isObject(row) || !Array.isArray(row.components)) continue;
					const component = row.components.filter(isObject).find((item) => isKind(item) && matches(labelOf(item)));
					if (component) return { message, component };
				}
			}
		}
		throw new ActionFailure(`no ${what} labelled "${wanted}" on any message ${user.username} can see`);
	}

	/** Waits until the bot has produced no new output for a moment (after `advance`, timers may fire). */
	async quiet(quietMs = 250, maxMs = 20_000): Promise<void> {
		// Closes under way are not quiet even when nothing is sent for a while (a chart may wait for a pool thread).
		await this.bot?.ctx.polls.settled();
		const started = Date.now();
		let last = -1;
		while (Date.now() - started < maxMs) {
			const current = this.standIn.outputs.at(-1)?.seq ?? 0;
			if (current === last) return;
			last = current;
			await new Promise((resolve) => setTimeout(resolve, quietMs));
		}
	}
}
