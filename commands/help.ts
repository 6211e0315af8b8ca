import { EmbedBuilder, MessageFlags, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/discord/command.js';

export const help = {
	data: new SlashCommandBuilder()
		.setName('help')
		.setDescription('What Parley does, with an example for every command')
		.setDMPermission(true),
	help: {
		summary: 'This overview.',
		examples: ['/help'],
	},
	async execute(interaction, ctx) {
		const embed = new EmbedBuilder()
			.setTitle('Parley — facts and fair polls for the nuclear-diplomacy debate')
			.setDescription(
				[
					'Parley helps this community argue about U.S.–North Korea diplomacy with the record in front of it:',
					'sourced briefings on past deals, a transparent check of proposed packages, and polls that count every vote.',
					'It takes no side between the pressure and compromise camps: facts carry sources, interpretations are attributed.',
				].join(' '),
			)
			.setColor(0x3b82f6);
		for (const command of ctx.commands) {
			const examples = command.help.examples.map((example) => `\`${example}\``).join('\n');
			const audience = command.help.audience ? ` *(${command.help.audience})*` : '';
			embed.addFields({ name: `/${command.data.name}${audience}`, value: `${command.help.summary}\n${examples}` });
		}
		embed.setFooter({ text: 'Replies marked "only you can see this" are private to you.' });
		await interaction.reply({ embeds: [embed], flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
	},
} satisfies Command;
