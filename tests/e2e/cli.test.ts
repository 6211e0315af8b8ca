import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { DiscordStandIn } from '../../src/local/standin/server.js';

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const cleanEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };

describe('npm start', () => {
	it('exits non-zero within seconds with one clear message when the environment is empty', () => {
		const dir = mkdtempSync(join(tmpdir(), 'parley-empty-'));
		const started = Date.now();
		const result = spawnSync(TSX, [join(process.cwd(), 'src/main.ts')], {
			cwd: dir,
			env: cleanEnv,
			encoding: 'utf8',
			timeout: 20_000,
		});
		expect(result.status).not.toBe(0);
		expect(result.status).not.toBeNull();
		expect(Date.now() - started).toBeLessThan(15_000);
		expect(result.stderr).toContain('DISCORD_TOKEN is missing');
		expect(result.stderr).toContain('.env.example');
		expect(result.stderr).toContain('npm run try');
		expect(result.stdout).toBe('');
	});

	describe('against any stand-in that follows the protocol', () => {
		let standIn: DiscordStandIn;
		let bot: ChildProcess;
		let logs = '';
		let dir: string;

		beforeAll(async () => {
			standIn = await DiscordStandIn.start();
			dir = mkdtempSync(join(tmpdir(), 'parley-start-'));
			const env = {
				...cleanEnv,
				DISCORD_TOKEN: standIn.token,
				DISCORD_API_BASE: standIn.apiBase,
				STORE_URL: `sqlite://${join(dir, 'p.sqlite')}`,
			};
			// Async: the stand-in lives in this process, so a blocking spawnSync could never be answered.
			const deploy = spawn(TSX, [join(process.cwd(), 'src/deploy.ts')], { env });
			let deployOutput = '';
			deploy.stdout?.on('data', (chunk: Buffer) => (deployOutput += chunk.toString()));
			deploy.stderr?.on('data', (chunk: Buffer) => (deployOutput += chunk.toString()));
			const deployCode = await new Promise<number | null>((resolve) => deploy.once('exit', resolve));
			expect(deployOutput).toContain(`Registered ${commands.length} commands globally`);
			expect(deployCode).toBe(0);
			bot = spawn(TSX, [join(process.cwd(), 'src/main.ts')], { cwd: dir, env });
			bot.stdout?.on('data', (chunk: Buffer) => (logs += chunk.toString()));
			expect(await standIn.waitFor(() => logs.includes('Parley is ready'), 30_000)).toBe(true);
		});
		afterAll(async () => {
			bot.kill('SIGKILL');
			await standIn.close();
		});

		it('logs in, answers /help, never logs the token, and shuts down cleanly on SIGTERM', async () => {
			const record = standIn.command(standIn.member('alice'), { name: 'help' });
			const outputs = await standIn.settle(record);
			expect(outputs[0]?.kind).toBe('reply');
			expect(JSON.stringify(outputs[0]?.message?.embeds)).toContain('/help');
			const exited = new Promise<number | null>((resolve) => bot.once('exit', (code) => resolve(code)));
			bot.kill('SIGTERM');
			expect(await exited).toBe(0);
			expect(logs).toContain('shutdown complete');
			expect(logs).not.toContain(standIn.token);
			for (const line of logs.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
			expect(standIn.violations).toEqual([]);
		});
	});
});

describe('npm run try (non-interactive)', () => {
	const run = (args: string[]) =>
		spawnSync(TSX, [join(process.cwd(), 'src/local/try.ts'), ...args], {
			env: { ...cleanEnv },
			encoding: 'utf8',
			timeout: 60_000,
		});

	it("prints the help and exits 0 for '/help'", () => {
		const result = run(['/help']);
		expect(result.status).toBe(0);
		expect(result.stdout).toContain('▶ /help');
		expect(result.stdout).toContain('Parley — facts and fair polls');
	});

	it('runs a script file and exits non-zero naming the action that failed', () => {
		const dir = mkdtempSync(join(tmpdir(), 'parley-script-'));
		const script = join(dir, 'actions.txt');
		writeFileSync(script, '# a comment\n/help\n\n/nosuchcommand\n');
		const result = run(['--script', script]);
		expect(result.status).toBe(1);
		expect(result.stdout).toContain('1 action failed');
		expect(result.stdout).toContain('✗ /nosuchcommand — there is no /nosuchcommand command');
	});
});

describe('npm run start:sharded', () => {
	it('refuses SQLite at once with a clear message (several processes must not share one SQLite file)', () => {
		const result = spawnSync(TSX, [join(process.cwd(), 'src/sharded.ts')], {
			env: { ...cleanEnv, DISCORD_TOKEN: 'not-used-token', STORE_URL: 'sqlite://data/parley.sqlite', SHARD_COUNT: '2' },
			encoding: 'utf8',
			timeout: 20_000,
		});
		expect(result.status).toBe(78);
		expect(result.stderr).toContain('several processes must not write one SQLite file');
		expect(result.stderr).toContain('redis://');
	});

	it('refuses a SHARD_LIST it cannot use, naming every problem at once', () => {
		const result = spawnSync(TSX, [join(process.cwd(), 'src/sharded.ts')], {
			env: {
				...cleanEnv,
				DISCORD_TOKEN: 'not-used-token',
				STORE_URL: 'redis://127.0.0.1:6379',
				SHARD_COUNT: '4',
				SHARD_LIST: '0,4,5',
			},
			encoding: 'utf8',
			timeout: 20_000,
		});
		expect(result.status).toBe(78);
		expect(result.stderr).toContain('SHARD_LIST names shard 4, but SHARD_COUNT is 4: shard ids run from 0 to 3');
		expect(result.stderr).toContain('SHARD_LIST names shard 5, but SHARD_COUNT is 4');
		const missingCount = spawnSync(TSX, [join(process.cwd(), 'src/sharded.ts')], {
			env: { ...cleanEnv, DISCORD_TOKEN: 'not-used-token', STORE_URL: 'redis://127.0.0.1:6379', SHARD_LIST: '4-5' },
			encoding: 'utf8',
			timeout: 20_000,
		});
		expect(missingCount.status).toBe(78);
		expect(missingCount.stderr).toContain('SHARD_COUNT is required when SHARD_LIST is set');
	});
});
