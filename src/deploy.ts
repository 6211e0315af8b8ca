import { REST, Routes } from 'discord.js';
import type { APIApplication, RESTPutAPIApplicationCommandsResult } from 'discord-api-types/v10';
import { commands as defaultCommands } from '../commands/index.js';
import { type Config, ConfigError, loadConfig, readEnvironment } from './config.js';
import type { Command } from './discord/command.js';

/** Registers every command in one bulk PUT: to DISCORD_GUILD_ID when set (instant), otherwise globally. */
export async function deployCommands(
	config: Config,
	commands: readonly Command[] = defaultCommands,
): Promise<{ count: number; scope: string }> {
	const rest = new REST(config.DISCORD_API_BASE ? { api: config.DISCORD_API_BASE } : {}).setToken(config.DISCORD_TOKEN);
	const applicationId = config.DISCORD_APP_ID ?? ((await rest.get(Routes.currentApplication())) as APIApplication).id;
	const body = commands.map((command) => command.data.toJSON());
	const route = config.DISCORD_GUILD_ID
		? Routes.applicationGuildCommands(applicationId, config.DISCORD_GUILD_ID)
		: Routes.applicationCommands(applicationId);
	const result = (await rest.put(route, { body })) as RESTPutAPIApplicationCommandsResult;
	const scope = config.DISCORD_GUILD_ID
		? `in server ${config.DISCORD_GUILD_ID}`
		: 'globally (may take up to an hour to appear)';
	return { count: result.length, scope };
}

if (import.meta.url === `file://${process.argv[1]}`) {
	try {
		const config = loadConfig(readEnvironment());
		const { count, scope } = await deployCommands(config);
		process.stdout.write(`Registered ${count} commands ${scope}.\n`);
	} catch (error) {
		if (error instanceof ConfigError) {
			process.stderr.write(`${error.message}\n`);
			process.exit(78);
		}
		process.stderr.write(`Could not register commands: ${error instanceof Error ? error.message : String(error)}\n`);
		process.exit(1);
	}
}
