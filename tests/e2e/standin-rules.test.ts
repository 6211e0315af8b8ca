import { InteractionResponseType, MessageFlags, Routes, SlashCommandBuilder } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from '../../src/discord/command.js';
import { TrySession } from '../../src/local/session.js';

/** A deliberately badly behaved command: the stand-in must catch each mistake the way Discord would. */
const rogue = {
	data: new SlashCommandBuilder()
		.setName('rogue')
		.setDescription('Breaks the rules on purpose')
		.addStringOption((option) => option.setName('mistake').setDescription('Which rule to break').setRequired(true)),
	help: { summary: 'Test only.', examples: ['/rogue twice'] },
	async execute(interaction) {
		const mistake = interaction.options.getString('mistake', true);
		const safe = { allowedMentions: { parse: [] } };
		switch (mistake) {
			case 'twice':
				await interaction.reply({ content: 'one', ...safe });
				// discord.js refuses a second reply locally, so go around it the way a buggy raw-REST bot would.
				await interaction.client.rest
					.post(Routes.interactionCallback(interaction.id, interaction.token), {
						body: {
							type: InteractionResponseType.ChannelMessageWithSource,
							data: { content: 'two', allowed_mentions: { parse: [] } },
						},
						auth: false,
					})
					.catch(() => {});
				return;
			case 'late':
				await new Promise((resolve) => setTimeout(resolve, 1_100));
				await interaction.reply({ content: 'too late', ...safe }).catch(() => {});
				return;
			case 'pings':
				await interaction.reply({ content: 'hello @everyone', allowedMentions: { parse: ['everyone'] } });
				return;
			case 'long':
				await interaction.reply({ content: 'x'.repeat(2001), ...safe }).catch(() => {});
				return;
			case 'silent':
				return;
			case 'ok':
				await interaction.reply({ content: 'fine', flags: MessageFlags.Ephemeral, ...safe });
				return;
		}
	},
} satisfies Command;

describe('the stand-in enforces Discord’s rules', () => {
	let session: TrySession;
	beforeAll(async () => {
		session = await TrySession.start({ commands: [rogue], standIn: { ackDeadlineMs: 1_000 } });
	});
	afterAll(async () => {
		await session.stop();
	});

	it.each([
		['twice', 'double-ack'],
		['late', 'late-ack'],
		['pings', 'allowed-mentions'],
		['long', 'limits'],
		['silent', 'no-ack'],
	])('flags /rogue %s as %s and fails the action', async (mistake, rule) => {
		const before = session.standIn.violations.length;
		const result = await session.run(`/rogue ${mistake}`);
		expect(result.ok).toBe(false);
		const found = await session.standIn.waitFor(
			() => session.standIn.violations.slice(before).some((violation) => violation.rule === rule),
			3_000,
		);
		expect(session.standIn.violations.slice(before).map((violation) => violation.rule)).toContain(rule);
		expect(found).toBe(true);
	});

	it('accepts a well-formed reply', async () => {
		const before = session.standIn.violations.length;
		expect((await session.run('/rogue ok')).ok).toBe(true);
		expect(session.standIn.violations.length).toBe(before);
	});
});
