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
