import type {
	AutocompleteInteraction,
	ButtonInteraction,
	ChatInputCommandInteraction,
	ModalSubmitInteraction,
	RESTPostAPIChatInputApplicationCommandsJSONBody,
	StringSelectMenuInteraction,
} from 'discord.js';
import type { BotContext } from '../context.js';
import type { CustomId } from './custom-id.js';

/** What `/help` says about a command. */
export interface CommandHelp {
	readonly summary: string;
	readonly examples: readonly string[];
	/** Shown only to members who can use it (e.g. "Moderators"). */
	readonly audience?: string;
}

export interface Command {
	/** The slash command definition; a SlashCommandBuilder satisfies this. */
	readonly data: { readonly name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
	readonly help: CommandHelp;
	execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void>;
	autocomplete?(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void>;
	/** Receives buttons whose custom_id starts with `${data.name}:`. */
	button?(interaction: ButtonInteraction, id: CustomId, ctx: BotContext): Promise<void>;
	select?(interaction: StringSelectMenuInteraction, id: CustomId, ctx: BotContext): Promise<void>;
	modal?(interaction: ModalSubmitInteraction, id: CustomId, ctx: BotContext): Promise<void>;
}
