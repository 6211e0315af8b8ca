import { ActionRowBuilder, ButtonBuilder, ButtonStyle, MessageFlags, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../../src/discord/command.js';
import { encodeCustomId } from '../../src/discord/custom-id.js';
import { UserFacingError } from '../../src/errors.js';

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];

/** A test-only command that exercises every router path: reply, autocomplete, button, expected and unexpected errors. */
export const probe = {
	data: new SlashCommandBuilder()
		.setName('probe')
		.setDescription('Test probe')
		.addStringOption((option) =>
			option.setName('word').setDescription('A word').setRequired(true).setAutocomplete(true),
		),
	help: { summary: 'Test probe.', examples: ['/probe alpha'] },
	async execute(interaction) {
		const word = interaction.options.getString('word', true);
		if (word === 'boom') throw new Error('kaboom: an unexpected bug');
		if (word === 'nope') throw new UserFacingError('Nope: pick another word.');
		if (word === 'slow') {
			await interaction.deferReply();
			await new Promise((resolve) => setTimeout(resolve, 200));
			await interaction.editReply({ content: 'slow answer', allowedMentions: { parse: [] } });
			return;
		}
		const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
			new ButtonBuilder()
				.setCustomId(encodeCustomId('probe', 'echo', word))
				.setLabel('Echo')
				.setStyle(ButtonStyle.Primary),
			new ButtonBuilder()
				.setCustomId(encodeCustomId('probe', 'explode'))
				.setLabel('Explode')
				.setStyle(ButtonStyle.Danger),
		);
		await interaction.reply({ content: `You said ${word}`, components: [row], allowedMentions: { parse: [] } });
	},
	async autocomplete(interaction) {
		const typed = interaction.options.getFocused().toLowerCase();
		await interaction.respond(
			WORDS.filter((word) => word.startsWith(typed)).map((word) => ({ name: word, value: word })),
		);
	},
	async button(interaction, id) {
		if (id.action === 'explode') throw new Error('button handler bug');
		await interaction.reply({
			content: `Echo: ${id.args[0] ?? ''} (pressed by ${interaction.user.username})`,
			flags: MessageFlags.Ephemeral,
			allowedMentions: { parse: [] },
		});
	},
} satisfies Command;
