import { startBot } from './bot.js';
import { ConfigError, loadConfig, readEnvironment } from './config.js';
import { createLogger } from './logger.js';
import { StoreInUseError } from './store/owner.js';

/** `npm start`: production entry point. Exits non-zero at once with one clear message when misconfigured. */
async function main(): Promise<void> {
	let config: ReturnType<typeof loadConfig>;
	try {
		config = loadConfig(readEnvironment());
	} catch (error) {
		if (error instanceof ConfigError) {
			process.stderr.write(`${error.message}\n`);
			process.exit(78); // EX_CONFIG
		}
		throw error;
	}
	const logger = createLogger({
		level: config.LOG_LEVEL,
		secrets: [config.DISCORD_TOKEN, ...(config.VOTE_KEY_SECRET ? [config.VOTE_KEY_SECRET] : [])],
	});
	process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
	process.on('uncaughtException', (error) => logger.error({ err: error }, 'uncaught exception'));

	let bot: Awaited<ReturnType<typeof startBot>>;
	try {
		bot = await startBot({ config, logger });
	} catch (error) {
		const code = error instanceof Error && 'code' in error ? String(error.code) : undefined;
		if (code === 'TokenInvalid') {
			logger.fatal('Discord rejected DISCORD_TOKEN. Copy a fresh token from the Developer Portal (Bot → Reset Token).');
		} else if (error instanceof StoreInUseError) {
			logger.fatal({ store: error.storePath, ownerPid: error.owner?.pid ?? null }, error.message);
		} else {
			logger.fatal({ err: error }, 'Parley could not start');
		}
		process.exit(1);
	}

	let signals = 0;
	const shutdown = (signal: NodeJS.Signals) => {
		signals += 1;
		if (signals > 1) {
			logger.warn({ signal }, 'second signal: exiting without waiting');
			process.exit(130);
		}
		void bot.stop(signal).then(
			() => process.exit(0),
			(error: unknown) => {
				logger.error({ err: error }, 'shutdown failed');
				process.exit(1);
			},
		);
	};
	process.on('SIGINT', shutdown);
	process.on('SIGTERM', shutdown);
}

await main();
