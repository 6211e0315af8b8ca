import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DiscordStandIn } from '../standin/server.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface BotProcessOptions {
	readonly standIn: DiscordStandIn;
	readonly storeUrl: string;
	readonly logLevel?: string;
	/** How long to wait for "Parley is ready". */
	readonly readyTimeoutMs?: number;
	/** Script to run instead of src/main.ts (the benchmark's no-op baseline bot). */
	readonly entry?: string;
	/** Extra environment, e.g. SHARD_COUNT. */
	readonly env?: Readonly<Record<string, string>>;
}

/**
 * Parley as a separate process, started exactly like `npm start` (src/main.ts), logged in to a stand-in. Fault
 * tests kill it (SIGKILL) or stop it (SIGTERM) in the middle of a burst and start it again on the same store.
 */
export class BotProcess {
	private output = '';
	private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

	private constructor(private readonly child: ChildProcess) {
		child.stdout?.on('data', (chunk: Buffer) => {
			this.output += chunk.toString();
		});
		child.stderr?.on('data', (chunk: Buffer) => {
			this.output += chunk.toString();
		});
		this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
	}

	static async start(options: BotProcessOptions): Promise<BotProcess> {
		const child = spawn(
			process.execPath,
			['--disable-warning=UnsupportedCacheOverwriteWarning', '--import', 'tsx', options.entry ?? 'src/main.ts'],
			{
				cwd: ROOT,
				env: {
					PATH: process.env.PATH ?? '',
					HOME: process.env.HOME ?? '',
					DISCORD_TOKEN: options.standIn.token,
					DISCORD_API_BASE: options.standIn.apiBase,
					STORE_URL: options.storeUrl,
					LOG_LEVEL: options.logLevel ?? 'info',
					...options.env,
				},
				stdio: ['ignore', 'pipe', 'pipe'],
			},
		);
		const bot = new BotProcess(child);
		const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
		while (!bot.output.includes('"msg":"Parley is ready"')) {
			if (Date.now() > deadline) {
				child.kill('SIGKILL');
				throw new Error(`the bot process did not become ready:\n${bot.output.slice(-2000)}`);
			}
			if (child.exitCode !== null) throw new Error(`the bot process exited early:\n${bot.output.slice(-2000)}`);
			await new Promise((resolve) => setTimeout(resolve, 25));
		}
		return bot;
	}

	get logs(): string {
		return this.output;
	}

	get pid(): number | undefined {
		return this.child.pid;
	}

	/** Resident and peak memory of the process, in MB (Linux /proc). */
	memory(): { rssMb: number; peakRssMb: number } {
		const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
		const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
		return { rssMb: Math.round(kb('VmRSS') / 1024), peakRssMb: Math.round(kb('VmHWM') / 1024) };
	}

	/** Sends a signal and waits for the process to exit. */
	async kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
		if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
		return this.exited;
	}

	/** Structured log lines (the bot logs JSON, one object per line). */
	logLines(): { level: number; msg: string; [key: string]: unknown }[] {
		return this.output
			.split('\n')
			.filter((line) => line.startsWith('{'))
			.map((line) => JSON.parse(line) as { level: number; msg: string });
	}
}
