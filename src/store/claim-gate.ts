/**
 * Makes "write unless claimed" and "claim" atomic with respect to each other inside one process, for a store this
 * process alone writes (a SQLite file under the owner lock). Writes under the same claim key run concurrently with
 * each other; a claim waits for the writes already under way, and writes that arrive meanwhile wait for the claim.
 */
export class ClaimGate {
	private readonly writing = new Map<string, { count: number; drained: (() => void)[] }>();
	private readonly claiming = new Map<string, Promise<boolean>>();

	/** Runs `write` unless a claim is being taken (then waits for it) or `claimed()` says the key is claimed. */
	async write(key: string, claimed: () => Promise<boolean>, write: () => Promise<void>): Promise<boolean> {
		let seen: Promise<boolean> | undefined;
		for (let pending = this.claiming.get(key); pending && pending !== seen; pending = this.claiming.get(key)) {
			seen = pending;
			if (await pending.catch(() => false)) return false;
		}
		// From here to the increment there is no await: a claim that starts later sees this write in flight.
		const state = this.writing.get(key) ?? { count: 0, drained: [] };
		this.writing.set(key, state);
		state.count += 1;
		try {
			if (await claimed()) return false;
			await write();
			return true;
		} finally {
			state.count -= 1;
			if (state.count === 0) {
				this.writing.delete(key);
				for (const resolve of state.drained.splice(0)) resolve();
			}
		}
	}

	/** Runs `claim` once the writes under way have finished; writes arriving meanwhile wait for its outcome. */
	claim(key: string, claim: () => Promise<boolean>): Promise<boolean> {
		const previous = this.claiming.get(key) ?? Promise.resolve(false);
		const current = previous
			.catch(() => false)
			.then(async (alreadyClaimed) => {
				if (alreadyClaimed) return false;
				const state = this.writing.get(key);
				if (state) await new Promise<void>((resolve) => state.drained.push(resolve));
				return claim();
			});
		this.claiming.set(key, current);
		void current
			.catch(() => false)
			.then(() => {
				if (this.claiming.get(key) === current) this.claiming.delete(key);
			});
		return current;
	}
}
