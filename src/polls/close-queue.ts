/**
 * Background closes (deadlines, the sweep, and every poll that fell due while the bot was down) run at most `limit`
 * at a time, and each poll is queued once however often the sweep finds it due. A thousand polls falling due
 * together become a steady stream of closes instead of a thousand at once competing with votes for the store,
 * Discord's rate limits and the chart pool. A moderator's /poll close does not queue here: it is answered at once.
 */
export class CloseQueue {
	/** Polls queued or closing now. */
	private readonly pending = new Set<string>();
	private readonly waiting: (() => void)[] = [];
	private active = 0;
	private peak = 0;

	constructor(readonly limit: number) {
		if (!Number.isInteger(limit) || limit < 1) throw new RangeError('a close queue needs a limit of at least 1');
	}

	/** Closes running now, queued, and the most that ever ran at once (for logs and tests). */
	get stats(): { readonly running: number; readonly queued: number; readonly peak: number } {
		return { running: this.active, queued: this.pending.size - this.active, peak: this.peak };
	}

	/**
	 * Runs `task` for this poll once a slot is free. Returns null when the poll is already queued or closing (the
	 * task is not run twice), else a promise that settles when the task has finished.
	 */
	add(pollId: string, task: () => Promise<void>): Promise<void> | null {
		if (this.pending.has(pollId)) return null;
		this.pending.add(pollId);
		return (async () => {
			await this.acquire();
			try {
				await task();
			} finally {
				this.pending.delete(pollId);
				this.release();
			}
		})();
	}

	private async acquire(): Promise<void> {
		if (this.active < this.limit) {
			this.active += 1;
			this.peak = Math.max(this.peak, this.active);
			return;
		}
		// The slot is handed over by `release` without `active` ever dropping, so nothing can overtake the queue.
		await new Promise<void>((resolve) => this.waiting.push(resolve));
	}

	private release(): void {
		const next = this.waiting.shift();
		if (next) next();
		else this.active -= 1;
	}
}
