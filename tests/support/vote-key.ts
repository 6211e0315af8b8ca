import { createLogger } from '../../src/logger.js';
import type { ChartRenderer } from '../../src/render/chart-pool.js';
import type { Store } from '../../src/store/keyv.js';
import { openVoteKey, VoteKey } from '../../src/store/vote-key.js';

/** A vote key for stores a test makes itself (no bot shares them). */
export const testVoteKey = new VoteKey(VoteKey.generateSecret(), { kind: 'memory' });

/** The vote key a bot keeps with this store (file next to SQLite, record in Redis/PostgreSQL), to read its votes. */
export function storeVoteKey(store: Store): Promise<VoteKey> {
	return openVoteKey(store, {}, createLogger({ level: 'silent', secrets: [] }));
}

/** The service's charts come from a worker pool in the bot; these tests only need bytes to attach. */
export const testCharts: ChartRenderer = {
	pollChart: async () => Buffer.from('chart'),
	timeline: async () => Buffer.from('timeline'),
	close: async () => {},
};
