import { mkdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UserFacingError } from '../errors.js';
import type { Logger } from '../logger.js';

/** What a member sees when a write is refused because the store's file is gone. Nothing was saved. */
export const STORE_GONE_TEXT =
	"Parley can't save anything right now: its database file was deleted or replaced while the bot was running. " +
	'Nothing was recorded. Please tell a moderator; the bot’s operator has to restore the file and restart Parley.';

/** A write refused because the store is no longer the file Parley opened. Shown to the member as is. */
export class StoreUnavailableError extends UserFacingError {
	constructor(readonly detail: string) {
		super(STORE_GONE_TEXT);
	}
}

interface FileIdentity {
	readonly dev: bigint;
	readonly ino: bigint;
}

async function identityOf(path: string): Promise<FileIdentity | null> {
	try {
		const info = await stat(path, { bigint: true });
		return { dev: info.dev, ino: info.ino };
	} catch (error) {
		if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT') return null;
		throw error;
	}
}

export interface StoreFileWatchOptions {
	readonly path: string;
	readonly logger: Logger;
	/** How often the file is checked when nothing is written. */
	readonly intervalMs: number;
	/**
	 * Saves what the open connection still sees (SQLite keeps reading a deleted file through its open handle) to
	 * `target`; called once, when the loss is detected.
	 */
	readonly rescue: (target: string) => Promise<void>;
}

/**
 * Notices when the SQLite file Parley opened is deleted or replaced while the bot runs. SQLite keeps writing to the
 * open (now nameless) file, so every receipt would look fine and everything would be gone at the next start. The
 * file's identity (device and inode) is compared before every write and on a timer; once it differs, every write
 * is refused with StoreUnavailableError and the loss is logged at error level.
 */
export class StoreFileWatch {
	private lost: string | null = null;
	private checking: Promise<void> | null = null;
	private timer: NodeJS.Timeout | null = null;

	private constructor(
		private readonly options: StoreFileWatchOptions,
		private readonly identity: FileIdentity,
	) {}

	static async start(options: StoreFileWatchOptions): Promise<StoreFileWatch> {
		const identity = await identityOf(options.path);
		if (!identity) throw new Error(`the SQLite store ${options.path} does not exist after opening it`);
		const watch = new StoreFileWatch(options, identity);
		watch.timer = setInterval(() => {
			void watch.check().catch(() => {});
		}, options.intervalMs);
		watch.timer.unref();
		return watch;
	}

	/** Why the store is unusable, or null while it is the file that was opened. */
	get problem(): string | null {
		return this.lost;
	}

	/** Resolves while the file is the one that was opened; rejects with StoreUnavailableError once it is not. */
	async assertIntact(): Promise<void> {
		if (!this.lost) await this.check();
		if (this.lost) throw new StoreUnavailableError(this.lost);
	}

	/** One stat at a time: writes that arrive together share it. */
	check(): Promise<void> {
		this.checking ??= this.compare().finally(() => {
			this.checking = null;
		});
		return this.checking;
	}

	stop(): void {
		if (this.timer) clearInterval(this.timer);
		this.timer = null;
	}

	private async compare(): Promise<void> {
		if (this.lost) return;
		const { path } = this.options;
		let now: FileIdentity | null;
		try {
			now = await identityOf(path);
		} catch (error) {
			// EACCES, EIO…: the file cannot be vouched for either.
			now = null;
			this.options.logger.warn({ err: error, store: path }, 'could not check the SQLite store file');
		}
		if (now && now.dev === this.identity.dev && now.ino === this.identity.ino) return;
		this.lost = now
			? `the SQLite store ${path} was replaced by another file while Parley was running`
			: `the SQLite store ${path} was deleted while Parley was running`;
		this.stop();
		const rescue = `${path}.rescued-${new Date().toISOString().replace(/[:.]/g, '-')}`;
		let rescued: string | null = null;
		try {
			mkdirSync(dirname(rescue), { recursive: true });
			await this.options.rescue(rescue);
			rescued = rescue;
		} catch (error) {
			this.options.logger.error({ err: error, store: path, rescue }, 'could not save a copy of the lost store');
		}
		this.options.logger.error(
			{
				store: path,
				opened: { dev: String(this.identity.dev), ino: String(this.identity.ino) },
				now: now ? { dev: String(now.dev), ino: String(now.ino) } : null,
				rescued,
			},
			`${this.lost}: every write is refused from now on. ${
				rescued
					? `Everything it held until now was saved to ${rescued}: stop Parley, delete any ${path}-wal and ${path}-shm left behind, move that file to ${path}, and start Parley again.`
					: `Stop Parley, delete any ${path}-wal and ${path}-shm left behind, restore the file from a backup, and start Parley again.`
			}`,
		);
	}
}
