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

// An interaction's token is in the path of its callback and webhook URLs; it lets anyone answer as the bot.
const INTERACTION_TOKEN_IN_URL = /\/(interactions\/\d+|webhooks\/\d+)\/[^/?#\s"]+/g;

/**
 * pino's error serializer, minus what Discord's REST errors carry about the request: its body (a failed vote
 * receipt says how the member voted, which an anonymous poll must never log next to their id) and the
 * interaction token in its URL.
 */
function serializeError(error: unknown): unknown {
	const serialized: unknown = pino.stdSerializers.err(error as Error);
	// Anything that is not an error comes back as itself; it is not ours to change.
	if (typeof serialized !== 'object' || serialized === null || serialized === error) return serialized;
	const fields = serialized as Record<string, unknown>;
	fields.requestBody = undefined;
	if (typeof fields.url === 'string') fields.url = fields.url.replace(INTERACTION_TOKEN_IN_URL, '/$1/[redacted]');
	return fields;
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
			serializers: { err: serializeError, error: serializeError },
		},
		stream,
	);
}
