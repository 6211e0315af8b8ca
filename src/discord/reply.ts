import { type ButtonInteraction, type ChatInputCommandInteraction, type Interaction, MessageFlags } from 'discord.js';
import { UserFacingError } from '../errors.js';
import type { Logger } from '../logger.js';
import { clip } from './format.js';

/** User text must never ping @everyone, a role or a member: every message the bot sends carries this. */
export const NO_MENTIONS = Object.freeze({ parse: [] as const });

export function ephemeral(content: string) {
	return { content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } } as const;
}

/** A short id the user can quote to a moderator and that appears in the log line with the stack. */
export function referenceId(interactionId: string): string {
	return `E-${interactionId.slice(-8)}`;
}

/**
 * Runs `work` and answers with its result. If it takes longer than `deferAfterMs` (a slow or locked store), the
 * interaction is deferred first, so Discord's 3-second acknowledgement window is never missed.
 */
export async function replyWithin(
	interaction: ButtonInteraction | ChatInputCommandInteraction,
	work: Promise<string>,
	deferAfterMs = 2_000,
): Promise<void> {
	let timer: NodeJS.Timeout | undefined;
	const slow = new Promise<'slow'>((resolve) => {
		timer = setTimeout(() => resolve('slow'), deferAfterMs);
	});
	const first = await Promise.race([work, slow]);
	clearTimeout(timer);
	if (first !== 'slow') {
		await interaction.reply(ephemeral(first));
		return;
	}
	await interaction.deferReply({ flags: MessageFlags.Ephemeral });
	await interaction.editReply({ content: await work, allowedMentions: { parse: [] } });
}

/**
 * Answers a failed interaction: a UserFacingError shows its own message; anything else is a bug and gets a short
 * apology with a reference id while the log gets the stack. Never throws.
 */
export async function reportFailure(interaction: Interaction, error: unknown, logger: Logger): Promise<void> {
	const expected = error instanceof UserFacingError;
	const reference = referenceId(interaction.id);
	const fields = {
		interactionId: interaction.id,
		reference,
		userId: interaction.user.id,
		guildId: interaction.guildId,
		command: 'commandName' in interaction ? interaction.commandName : undefined,
		// Only the command and action: arguments can say how someone voted, and anonymous polls must not leak.
		customId:
			'customId' in interaction && typeof interaction.customId === 'string'
				? interaction.customId.split(':').slice(0, 2).join(':')
				: undefined,
	};
	if (expected) logger.debug({ ...fields, reason: error.message }, 'interaction refused');
	else logger.error({ ...fields, err: error }, 'interaction failed');
	if (!interaction.isRepliable()) return;
	// Discord refuses messages over 2,000 characters, and then the member would get no answer at all.
	const content = expected
		? clip(error.message, 2_000)
		: `Sorry, something went wrong on our side. If it keeps happening, tell a moderator the reference \`${reference}\`.`;
	try {
		if (interaction.replied || interaction.deferred) {
			if (interaction.deferred && !interaction.replied)
				await interaction.editReply({ content, allowedMentions: { parse: [] } });
			else await interaction.followUp(ephemeral(content));
		} else {
			await interaction.reply(ephemeral(content));
		}
	} catch (replyError) {
		logger.warn({ ...fields, err: replyError }, 'could not tell the user about a failure');
	}
}
