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

/** The most shards SHARD_COUNT allows; shard ids run from 0 to one less. */
export const MAX_SHARDS = 1024;

const SHARD_LIST_HINT = 'shard ids separated by commas, such as 0,1 or 0-3';

/**
 * "0,1", "0-3" or "0-3, 8": the shards this machine runs, in ascending order. Only the syntax is checked here; the
 * range check needs SHARD_COUNT and happens on the whole configuration.
 */
const ShardList = z.string().transform((text, ctx): number[] => {
	const ids: number[] = [];
	for (const part of text.split(',').map((item) => item.trim())) {
		const match = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(part);
		const from = Number(match?.[1]);
		const to = match?.[2] === undefined ? from : Number(match[2]);
		const problem = !match
			? `must list ${SHARD_LIST_HINT} (“${part.slice(0, 20)}” is not a shard id)`
			: to < from
				? `range ${part} runs backwards: write ${to}-${from} (${SHARD_LIST_HINT})`
				: to >= MAX_SHARDS
					? `names shard ${to}, but there are at most ${MAX_SHARDS} shards (${SHARD_LIST_HINT})`
					: null;
		if (problem) {
			ctx.addIssue({ code: 'custom', message: problem });
			return z.NEVER;
		}
		for (let id = from; id <= to; id++) ids.push(id);
	}
	const twice = ids.find((id, index) => ids.indexOf(id) !== index);
	if (twice !== undefined) {
		ctx.addIssue({ code: 'custom', message: `names shard ${twice} more than once` });
		return z.NEVER;
	}
	return ids.sort((a, b) => a - b);
});

/** Everything the bot reads from the environment. Nothing else in the code reads process.env. */
export const Env = z
	.object({
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
			z.union([z.literal('auto'), z.coerce.number().int().min(1).max(MAX_SHARDS)], {
				error: `must be a whole number of shards (1–${MAX_SHARDS}) or auto`,
			}),
		),
		/**
		 * Several machines: the shards this one runs (e.g. 0-3); the others run the rest, all on one Redis or PostgreSQL
		 * store. SHARD_COUNT is then the total over every machine.
		 */
		SHARD_LIST: optional(ShardList),
	})
	.superRefine(
		(config, ctx) => {
			if (!config.SHARD_LIST) return;
			if (config.SHARD_COUNT === undefined) {
				ctx.addIssue({
					code: 'custom',
					path: ['SHARD_COUNT'],
					message:
						'is required when SHARD_LIST is set: the total number of shards over every machine, the same number on each',
				});
			} else if (config.SHARD_COUNT === 'auto') {
				ctx.addIssue({
					code: 'custom',
					path: ['SHARD_COUNT'],
					message:
						'must be a number when SHARD_LIST is set: every machine must use the same total, and auto can change between starts',
				});
			} else {
				const count = config.SHARD_COUNT;
				for (const id of config.SHARD_LIST.filter((shard) => shard >= count)) {
					ctx.addIssue({
						code: 'custom',
						path: ['SHARD_LIST'],
						message: `names shard ${id}, but SHARD_COUNT is ${count}: shard ids run from 0 to ${count - 1}`,
					});
				}
			}
			if (config.STORE_URL.startsWith('sqlite:')) {
				ctx.addIssue({
					code: 'custom',
					path: ['SHARD_LIST'],
					message:
						'needs a store every machine shares, and STORE_URL is an SQLite file on this machine: use Redis (redis://host:6379) or PostgreSQL (postgres://user@host/db)',
				});
			}
		},
		// Checked even when other settings have problems (every problem is reported at once), but only on shard and
		// store settings that parsed.
		{
			when: (payload) =>
				!payload.issues.some((issue) => ['SHARD_LIST', 'SHARD_COUNT', 'STORE_URL'].includes(String(issue.path?.[0]))),
		},
	);
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
