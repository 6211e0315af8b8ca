/** Where the bot gets the time. Production uses the system clock; the console and tests move time forward. */
export interface Clock {
	now(): number;
	/** Registers a listener called whenever time jumps (not on ordinary ticking). Returns an unsubscribe function. */
	onJump(listener: () => void): () => void;
}

export class SystemClock implements Clock {
	now(): number {
		return Date.now();
	}
	onJump(): () => void {
		return () => {};
	}
}

/** Real time plus an offset that `advance()` increases; used by `npm run try` and the tests. */
export class OffsetClock implements Clock {
	private offsetMs: number;
	private readonly listeners = new Set<() => void>();

	constructor(offsetMs = 0) {
		this.offsetMs = offsetMs;
	}

	now(): number {
		return Date.now() + this.offsetMs;
	}

	get offset(): number {
		return this.offsetMs;
	}

	advance(ms: number): void {
		this.offsetMs += ms;
		for (const listener of this.listeners) listener();
	}

	onJump(listener: () => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}
}
