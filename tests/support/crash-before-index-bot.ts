import Keyv from 'keyv';

/**
 * Parley exactly as `npm start` runs it, except that the process SIGKILLs itself at one chosen moment of a close:
 * just before the Nth index write (`open-polls:` or `guild-polls:`) that follows the write of a closed poll record —
 * after the final card was sent. The kill is deterministic, so the test never depends on racing a few milliseconds.
 *   CRASH_AT_INDEX_WRITE=1   before the first index write of the close (both indexes still stale)
 *   CRASH_AT_INDEX_WRITE=2   between the two index writes
 * The test reads this variable; the bot's own code never does.
 */
const target = Number(process.env.CRASH_AT_INDEX_WRITE ?? '1');
let indexWritesAfterClose = -1;

type SetArgs = Parameters<Keyv['set']>;
const realSet = Keyv.prototype.set;
Keyv.prototype.set = async function set(this: Keyv, ...args: SetArgs) {
	const [key, value] = args;
	if (typeof key === 'string') {
		if (key.startsWith('open-polls:') || key.startsWith('guild-polls:')) {
			if (indexWritesAfterClose >= 0) {
				indexWritesAfterClose += 1;
				if (indexWritesAfterClose === target) {
					process.kill(process.pid, 'SIGKILL');
					await new Promise(() => {});
				}
			}
		} else if (key.startsWith('poll:') && JSON.stringify(value).includes('"status":"closed"')) {
			const result = await realSet.apply(this, args);
			indexWritesAfterClose = 0;
			return result;
		}
	}
	return realSet.apply(this, args);
} as Keyv['set'];

await import('../../src/main.js');
