/**
 * An in-process lock per key: tasks with the same key run one after another, different keys run concurrently.
 * Keyv has no transactions, so anything derived from several records is changed only under one of these, by the
 * one process that owns the guild.
 */
export class KeyedLock {
	private readonly tails = new Map<string, Promise<unknown>>();

	run<T>(key: string, task: () => Promise<T>): Promise<T> {
		const previous = this.tails.get(key) ?? Promise.resolve();
		const current = previous.then(task, task);
		const tail = current.catch(() => undefined);
		this.tails.set(key, tail);
		void tail.then(() => {
			if (this.tails.get(key) === tail) this.tails.delete(key);
		});
		return current;
	}

	get size(): number {
		return this.tails.size;
	}
}
