import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { VOTE_KEY_MIN_LENGTH } from './store/vote-key.js';

const Snowflake = z.string().regex(/^\d{17,20}$/, 'must be a Discord id (17–20 digits)');

/** `.env` files are full of `KEY=`; an empty value means "not set". */
const emptyAsUndefined = (value: unknown): unknown =>
	typeof value === 'string' && value.trim() === '' ? undefined : value;
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(emptyAsUndefined, schema.optional());

export const STORE_SCHEMES = ['sqlite:', 'redis:', 'rediss:', 'postgres:', 'postgresql:'] as const;

const StoreUrl = z.string().refine((value) => STORE_SCHEMES.some((scheme) => value.startsWith(scheme)), {
	message: 'must start with sqlite://, redis:// or postgres:// (e.g. sqlite://data/parley.sqlite)',
});

const LogLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:8080/api' });

/** Everything the bot reads from the environment. Nothing else in the code reads process.env. */
export const Env = z.object({
	DISCORD_TOKEN: z.preprocess(
		emptyAsUndefined,
		z.string({ error: 'is missing: the bot token from the Discord Developer Portal (your app → Bot → Reset Token)' }),
	),
	DISCORD_APP_ID: optional(Snowflake),
	DISCORD_GUILD_ID: optional(Snowflake),
	DISCORD_API_BASE: optional(HttpUrl),
	STORE_URL: z.preprocess(emptyAsUndefined, StoreUrl.default('sqlite://data/parley.sqlite')),
	LOG_LEVEL: z.preprocess(emptyAsUndefined, LogLevel.default('info')),
	/**
	 * The secret anonymous polls' votes are keyed with (HMAC-SHA256 of the member id). Optional: without it Parley
	 * generates one on first start and keeps it next to a SQLite database, or in the Redis/PostgreSQL store.
	 */
	VOTE_KEY_SECRET: optional(
		z
			.string()
			.trim()
			.min(VOTE_KEY_MIN_LENGTH, {
				error: `must be at least ${VOTE_KEY_MIN_LENGTH} characters of random text, e.g. the output of: openssl rand -hex 32`,
			}),
	),
	/** Sharded mode only (`npm run start:sharded`): a number of shard processes, or `auto` to ask Discord. */
	SHARD_COUNT: optional(
		z.union([z.literal('auto'), z.coerce.number().int().min(1).max(1024)], {
			error: 'must be a whole number of shards (1–1024) or auto',
		}),
	),
});
export type Config = z.infer<typeof Env>;

export type EnvSource = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
	override readonly name = 'ConfigError';
	constructor(readonly problems: readonly string[]) {
		super(
			[
				'Parley cannot start; the configuration has problems:',
				...problems.map((problem) => `  - ${problem}`),
				'',
				'Copy .env.example to .env and fill it in (each setting is explained there),',
				'or try Parley on a local stand-in for Discord with no token at all: npm run try',
			].join('\n'),
		);
	}
}

/** Parses the environment once at startup and reports every problem at once. Never touches process.env itself. */
export function loadConfig(env: EnvSource): Config {
	const result = Env.safeParse(env);
	if (result.success) return result.data;
	const problems = result.error.issues.map((issue) => {
		const key = issue.path.join('.');
		return key ? `${key} ${issue.message}` : issue.message;
	});
	throw new ConfigError(problems);
}

/**
 * The process environment merged over a `.env` file (if present). Real environment variables win, as with
 * `node --env-file`. Kept separate from `loadConfig` so tests pass plain objects.
 */
export function readEnvironment(envFile = '.env', processEnv: EnvSource = process.env): EnvSource {
	if (!existsSync(envFile)) return processEnv;
	const fromFile = parseEnv(readFileSync(envFile, 'utf8'));
	return { ...fromFile, ...processEnv };
}
