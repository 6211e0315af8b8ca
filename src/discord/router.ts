import type { Interaction } from 'discord.js';
import type { BotContext } from '../context.js';
import { UserFacingError } from '../errors.js';
import type { Command } from './command.js';
import { decodeCustomId } from './custom-id.js';
import { ephemeral, reportFailure } from './reply.js';

export interface InteractionRouter {
	/** The single `interactionCreate` listener. Never rejects. */
	handle(interaction: Interaction): Promise<void>;
	/** New interactions get a polite "restarting" answer from now on. */
	stopAccepting(): void;
	/** Resolves when every interaction in flight has finished (or the timeout passed). */
	drain(timeoutMs: number): Promise<{ unfinished: number }>;
	readonly inFlight: number;
}

const STALE_COMPONENT =
	'This button belongs to a message Parley no longer recognises. Run the command again for a fresh one.';

export function createInteractionRouter(commands: readonly Command[], ctx: BotContext): InteractionRouter {
	const byName = new Map(commands.map((command) => [command.data.name, command]));
	const inFlight = new Set<Promise<void>>();
	let accepting = true;

	async function dispatch(interaction: Interaction): Promise<void> {
		if (interaction.isChatInputCommand()) {
			const command = byName.get(interaction.commandName);
			if (!command) throw new UserFacingError(`Parley has no /${interaction.commandName} command any more. Try /help.`);
			await command.execute(interaction, ctx);
			return;
		}
		if (interaction.isAutocomplete()) {
			const command = byName.get(interaction.commandName);
			if (command?.autocomplete) await command.autocomplete(interaction, ctx);
			else await interaction.respond([]);
			return;
		}
		if (interaction.isButton() || interaction.isStringSelectMenu() || interaction.isModalSubmit()) {
			const id = decodeCustomId(interaction.customId);
			const command = id ? byName.get(id.command) : undefined;
			if (!id || !command) throw new UserFacingError(STALE_COMPONENT);
			if (interaction.isButton() && command.button) return command.button(interaction, id, ctx);
			if (interaction.isStringSelectMenu() && command.select) return command.select(interaction, id, ctx);
			if (interaction.isModalSubmit() && command.modal) return command.modal(interaction, id, ctx);
			throw new UserFacingError(STALE_COMPONENT);
		}
		// Any other component (user, role or channel menus Parley never posts) still gets an answer, never silence.
		if (interaction.isMessageComponent()) throw new UserFacingError(STALE_COMPONENT);
	}

	async function handle(interaction: Interaction): Promise<void> {
		if (!accepting) {
			if (interaction.isRepliable()) {
				await interaction
					.reply(ephemeral('Parley is restarting. Please try again in a few seconds.'))
					.catch((error: unknown) => ctx.logger.warn({ err: error }, 'could not answer during shutdown'));
			} else if (interaction.isAutocomplete()) {
				await interaction.respond([]).catch(() => {});
			}
			return;
		}
		const started = performance.now();
		try {
			await dispatch(interaction);
		} catch (error) {
			if (interaction.isAutocomplete()) {
				ctx.logger.error({ err: error, interactionId: interaction.id }, 'autocomplete failed');
				if (!interaction.responded) await interaction.respond([]).catch(() => {});
			} else {
				await reportFailure(interaction, error, ctx.logger);
			}
		} finally {
			ctx.logger.debug(
				{ interactionId: interaction.id, ms: Math.round(performance.now() - started) },
				'interaction handled',
			);
		}
	}

	return {
		handle(interaction) {
			const task = handle(interaction);
			inFlight.add(task);
			void task.finally(() => inFlight.delete(task));
			return task;
		},
		stopAccepting() {
			accepting = false;
		},
		async drain(timeoutMs) {
			let timer: NodeJS.Timeout | undefined;
			const timeout = new Promise<'timeout'>((resolve) => {
				timer = setTimeout(() => resolve('timeout'), timeoutMs);
			});
			await Promise.race([Promise.allSettled([...inFlight]), timeout]);
			clearTimeout(timer);
			return { unfinished: inFlight.size };
		},
		get inFlight() {
			return inFlight.size;
		},
	};
}
