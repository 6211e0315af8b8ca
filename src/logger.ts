import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

export interface LoggerSettings {
	readonly level: LoggerOptions['level'];
	/** Strings that must never be written (the bot token). Replaced by `[redacted]` in every line. */
	readonly secrets: readonly string[];
	/** Where JSON lines go; stdout by default. Tests pass a collector. */
	readonly destination?: { write(line: string): void };
	readonly name?: string;
}

/**
 * Structured JSON logs (pino). Every line passes through a scrubber before it is written, so a secret that
 * sneaks into an error message or a stack is still never logged.
 */
export function createLogger(settings: LoggerSettings): Logger {
	const secrets = settings.secrets.filter((secret) => secret.length >= 8);
	const sink = settings.destination ?? process.stdout;
	const stream: DestinationStream = {
		write(line: string) {
			let safe = line;
			for (const secret of secrets) safe = safe.split(secret).join('[redacted]');
			sink.write(safe);
		},
	};
	return pino(
		{
			level: settings.level ?? 'info',
			name: settings.name ?? 'parley',
			base: { pid: process.pid },
			redact: { paths: ['token', '*.token', 'config.DISCORD_TOKEN', 'headers.authorization'], censor: '[redacted]' },
			serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
		},
		stream,
	);
}
