import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const TOKEN = 'MTQ0MDAwMDAwMDAwMDAwMDAw.test.token-value';

describe('loadConfig', () => {
	it('accepts a token alone and fills in the defaults', () => {
		const config = loadConfig({ DISCORD_TOKEN: TOKEN });
		expect(config).toMatchObject({ DISCORD_TOKEN: TOKEN, STORE_URL: 'sqlite://data/parley.sqlite', LOG_LEVEL: 'info' });
		expect(config.DISCORD_API_BASE).toBeUndefined();
		expect(config.DISCORD_GUILD_ID).toBeUndefined();
	});

	it('names a missing token and points to .env.example and npm run try', () => {
		expect(() => loadConfig({})).toThrowError(ConfigError);
		try {
			loadConfig({});
		} catch (error) {
			const message = (error as Error).message;
			expect(message).toContain('DISCORD_TOKEN is missing');
			expect(message).toContain('.env.example');
			expect(message).toContain('npm run try');
		}
	});

	it('reports every problem at once', () => {
		try {
			loadConfig({
				DISCORD_GUILD_ID: 'my-server',
				STORE_URL: 'mysql://x',
				LOG_LEVEL: 'loud',
				DISCORD_API_BASE: 'not a url',
			});
			expect.unreachable('loadConfig should have thrown');
		} catch (error) {
			expect(error).toBeInstanceOf(ConfigError);
			const problems = (error as ConfigError).problems.join('\n');
			for (const key of ['DISCORD_TOKEN', 'DISCORD_GUILD_ID', 'STORE_URL', 'LOG_LEVEL', 'DISCORD_API_BASE']) {
				expect(problems).toContain(key);
			}
			expect((error as ConfigError).problems).toHaveLength(5);
		}
	});

	it('treats KEY= (empty) as unset, as .env files write it', () => {
		const config = loadConfig({
			DISCORD_TOKEN: TOKEN,
			DISCORD_GUILD_ID: '',
			STORE_URL: '',
			LOG_LEVEL: ' ',
			DISCORD_API_BASE: '',
		});
		expect(config.DISCORD_GUILD_ID).toBeUndefined();
		expect(config.STORE_URL).toBe('sqlite://data/parley.sqlite');
		expect(config.LOG_LEVEL).toBe('info');
	});

	it('keeps the API base for the stand-in and a development server id', () => {
		const config = loadConfig({
			DISCORD_TOKEN: TOKEN,
			DISCORD_API_BASE: 'http://127.0.0.1:4000/api',
			DISCORD_GUILD_ID: '222222222222222222',
		});
		expect(config.DISCORD_API_BASE).toBe('http://127.0.0.1:4000/api');
		expect(config.DISCORD_GUILD_ID).toBe('222222222222222222');
	});

	it('never puts the token value in its error message', () => {
		try {
			loadConfig({ DISCORD_TOKEN: TOKEN, LOG_LEVEL: 'loud' });
		} catch (error) {
			expect((error as Error).message).not.toContain(TOKEN);
		}
	});
});

describe('SHARD_LIST: this machine’s share of the shards', () => {
	const REDIS = 'redis://127.0.0.1:6379';
	const problemsOf = (env: Record<string, string>): string[] => {
		try {
			loadConfig({ DISCORD_TOKEN: TOKEN, STORE_URL: REDIS, ...env });
		} catch (error) {
			if (error instanceof ConfigError) return [...error.problems];
			throw error;
		}
		return [];
	};

	it('reads shard ids and ranges, in order, with SHARD_COUNT the total over every machine', () => {
		const config = loadConfig({ DISCORD_TOKEN: TOKEN, STORE_URL: REDIS, SHARD_COUNT: '8', SHARD_LIST: ' 5-7, 0 ,2' });
		expect(config.SHARD_LIST).toEqual([0, 2, 5, 6, 7]);
		expect(config.SHARD_COUNT).toBe(8);
		expect(
			loadConfig({ DISCORD_TOKEN: TOKEN, STORE_URL: REDIS, SHARD_COUNT: '1', SHARD_LIST: '0' }).SHARD_LIST,
		).toEqual([0]);
		expect(loadConfig({ DISCORD_TOKEN: TOKEN, SHARD_LIST: '' }).SHARD_LIST).toBeUndefined();
	});

	it('requires SHARD_COUNT as a number, since every machine must agree on the total', () => {
		expect(problemsOf({ SHARD_LIST: '0,1' })).toEqual([
			expect.stringMatching(/^SHARD_COUNT is required when SHARD_LIST is set: the total number of shards/),
		]);
		expect(problemsOf({ SHARD_LIST: '0,1', SHARD_COUNT: 'auto' })).toEqual([
			expect.stringMatching(/^SHARD_COUNT must be a number when SHARD_LIST is set/),
		]);
	});

	it('names each shard id outside 0..SHARD_COUNT-1 and each id given twice', () => {
		expect(problemsOf({ SHARD_LIST: '2,4', SHARD_COUNT: '4' })).toEqual([
			'SHARD_LIST names shard 4, but SHARD_COUNT is 4: shard ids run from 0 to 3',
		]);
		expect(problemsOf({ SHARD_LIST: '0-2,2', SHARD_COUNT: '4' })).toEqual(['SHARD_LIST names shard 2 more than once']);
	});

	it('explains what a shard list looks like when it cannot read one', () => {
		for (const text of ['a,b', '1,,2', '-1', '1.5', '3-1', '0x1', '99999999']) {
			const problems = problemsOf({ SHARD_LIST: text, SHARD_COUNT: '4' });
			expect(problems, text).toHaveLength(1);
			expect(problems[0], text).toMatch(/^SHARD_LIST /);
			expect(problems[0], text).toMatch(/such as 0,1 or 0-3/);
		}
	});

	it('refuses SQLite: the other machines could not share a file on this one', () => {
		const problems = problemsOf({ SHARD_LIST: '0', SHARD_COUNT: '2', STORE_URL: 'sqlite://data/parley.sqlite' });
		expect(problems).toHaveLength(1);
		expect(problems[0]).toMatch(/^SHARD_LIST needs a store every machine shares/);
		expect(problems[0]).toContain('redis://');
		expect(problems[0]).toContain('postgres://');
	});

	it('reports shard problems together with every other problem', () => {
		const problems = (() => {
			try {
				loadConfig({ SHARD_LIST: '0,9', SHARD_COUNT: '2', LOG_LEVEL: 'loud', STORE_URL: REDIS });
			} catch (error) {
				return (error as ConfigError).problems;
			}
			return [];
		})();
		expect(problems.map((problem) => problem.split(' ')[0]).sort()).toEqual([
			'DISCORD_TOKEN',
			'LOG_LEVEL',
			'SHARD_LIST',
		]);
	});
});
