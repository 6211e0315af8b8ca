import { Client, Events, GatewayIntentBits, MessageFlags } from 'discord.js';

/**
 * The benchmark's baseline: a discord.js bot with Parley's client options that answers every button with an
 * ephemeral receipt and stores nothing. Parley's figures are reported as a ratio to this one, measured in the same run.
 */
const client = new Client({
	intents: [GatewayIntentBits.Guilds],
	rest: { api: process.env.DISCORD_API_BASE ?? '' },
	allowedMentions: { parse: [] },
});
client.on(Events.InteractionCreate, (interaction) => {
	if (interaction.isButton()) {
		void interaction
			.reply({ content: 'Recorded.', flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } })
			.catch(() => {});
	} else if (interaction.isChatInputCommand()) {
		void interaction.reply({ content: 'ok', allowedMentions: { parse: [] } }).catch(() => {});
	}
});
client.once(Events.ClientReady, () =>
	process.stdout.write(`${JSON.stringify({ level: 30, msg: 'Parley is ready' })}\n`),
);
process.on('SIGTERM', () => void client.destroy().then(() => process.exit(0)));
await client.login(process.env.DISCORD_TOKEN);
