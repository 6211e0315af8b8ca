import { fileURLToPath } from 'node:url';
import { REST, Routes, ShardingManager } from 'discord.js';
import type { APIGatewayBotInfo } from 'discord-api-types/v10';
import { type Config, ConfigError, loadConfig, readEnvironment } from './config.js';
import { createLogger } from './logger.js';
import { redactUrl } from './store/keyv.js';

/**
 * `npm run start:sharded`: discord.js's ShardingManager runs one process per shard, each the same `src/main.ts`.
 * Every shard process owns the servers Discord routes to it (`(guild_id >> 22) % shard_count`): it alone writes,
 * schedules and closes their polls. Processes share state through Redis or PostgreSQL; one SQLite file must never
 * be written by several processes (keyv-notes §2c: writes that had succeeded were lost).
 *
 * Beyond one machine, SHARD_LIST gives this machine's share (SHARD_COUNT is then the total over every machine):
 * each machine's manager runs only its shards, all of them on the one shared store. During a rolling restart the old
 * and the new process of a shard overlap for a moment; the store's atomic close claim keeps every poll closed once,
 * and each process picks up the open polls the other started (the poll service re-reads the open index).
 */
export function shardedProblems(config: Config): string[] {
	if (config.STORE_URL.startsWith('sqlite:')) {
		return [
			`STORE_URL is ${redactUrl(config.STORE_URL)}: sharded mode runs several processes, and several processes must not write one SQLite file. Use Redis (redis://host:6379) or PostgreSQL (postgres://user@host/db), or run \`npm start\`, which serves thousands of servers from one process.`,
		];
	}
	return [];
}

/** SHARD_COUNT=auto asks Discord (GET /gateway/bot) through the configured REST base, so it works on the stand-in too. */
async function shardCount(config: Config): Promise<number> {
	if (typeof config.SHARD_COUNT === 'number') return config.SHARD_COUNT;
	const rest = new REST(config.DISCORD_API_BASE ? { api: config.DISCORD_API_BASE } : {}).setToken(config.DISCORD_TOKEN);
	const info = (await rest.get(Routes.gatewayBot())) as APIGatewayBotInfo;
	return info.shards;
}

async function main(): Promise<void> {
	let config: Config;
	try {
		config = loadConfig(readEnvironment());
		const problems = shardedProblems(config);
		if (problems.length > 0) throw new ConfigError(problems);
	} catch (error) {
		if (error instanceof ConfigError) {
			process.stderr.write(`${error.message}\n`);
			process.exit(78);
		}
		throw error;
	}
	const logger = createLogger({ level: config.LOG_LEVEL, secrets: [config.DISCORD_TOKEN], name: 'parley-shards' });
	const totalShards = await shardCount(config);
	// Config has checked that every id is below SHARD_COUNT; without SHARD_LIST this machine runs every shard.
	const shardList = config.SHARD_LIST ?? 'auto';
	const manager = new ShardingManager(fileURLToPath(new URL('./main.ts', import.meta.url)), {
		totalShards,
		shardList,
		token: config.DISCORD_TOKEN,
		execArgv: ['--disable-warning=UnsupportedCacheOverwriteWarning', '--import', 'tsx'],
		respawn: true,
	});
	manager.on('shardCreate', (shard) => {
		logger.info({ shardId: shard.id, totalShards, shardList }, 'shard process started');
		shard.on('death', (child) =>
			logger.warn(
				{ shardId: shard.id, exitCode: 'exitCode' in child ? child.exitCode : null },
				'shard process died; respawning',
			),
		);
	});
	const stop = (signal: NodeJS.Signals) => {
		logger.info({ signal }, 'stopping every shard');
		manager.respawn = false;
		for (const shard of manager.shards.values()) {
			shard.process?.kill('SIGTERM');
		}
		setTimeout(() => process.exit(0), 12_000).unref();
		void Promise.all(
			[...manager.shards.values()].map(
				(shard) => new Promise((resolve) => (shard.process ? shard.process.once('exit', resolve) : resolve(null))),
			),
		).then(() => process.exit(0));
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	// The stand-in and Discord's max_concurrency allow identifying shards quickly; 5.5 s apart is the old default.
	await manager.spawn({ delay: 1_000, timeout: 60_000 });
	logger.info(
		{ totalShards, shards: [...manager.shards.keys()], store: redactUrl(config.STORE_URL) },
		'all shards are up',
	);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
