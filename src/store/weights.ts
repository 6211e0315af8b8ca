import { z } from 'zod';
import { applyWeightChange, WeightOverride, type WeightOverrides } from '../domain/weights.js';
import type { Store } from './keyv.js';
import { KeyedLock } from './lock.js';
import { CorruptRecordError, createRepository } from './repository.js';

/**
 * A server's own valuation of concessions for /balance, set by its moderators. Laid out so that two moderators
 * changing weights at the same moment never overwrite each other (Keyv has no transactions, keyv-notes §2b):
 *   weight:<guildId>:<concessionId>   one key per server and concession (written since the weights fix)
 *   guild-weights:<guildId>           the old layout: one record for the whole server. Still read, never written
 *                                     again; a per-concession key shadows its entry, and /weights reset deletes it.
 */

/** The old whole-server record (schema version 1), as communities have it stored. */
export const ServerWeightsRecord = z.object({
	schemaVersion: z.literal(1),
	overrides: z.record(z.string(), WeightOverride),
	updatedBy: z.string(),
	updatedAt: z.number().int(),
});
export type ServerWeightsRecord = z.infer<typeof ServerWeightsRecord>;

/** One concession's weights on one server. `override: null` records a reset to Parley's defaults. */
export const ConcessionWeightRecord = z.object({
	schemaVersion: z.literal(1),
	override: WeightOverride.nullable(),
	updatedBy: z.string(),
	updatedAt: z.number().int(),
});
export type ConcessionWeightRecord = z.infer<typeof ConcessionWeightRecord>;

export interface ServerWeightsStore {
	/** Every concession this server has changed, with the weights in force. */
	get(guildId: string): Promise<WeightOverrides>;
	/**
	 * Applies one moderator's change to one concession (the fields given replace the old ones, the others stay) and
	 * returns the override now in force. Other concessions are not read or written.
	 */
	change(
		guildId: string,
		concessionId: string,
		change: WeightOverride,
		updatedBy: string,
		now: number,
	): Promise<WeightOverride>;
	/** Puts one concession back to Parley's defaults. */
	resetOne(guildId: string, concessionId: string, updatedBy: string, now: number): Promise<void>;
	/** Puts every concession back to Parley's defaults. */
	resetAll(guildId: string): Promise<void>;
}

export function createServerWeightsStore(store: Store): ServerWeightsStore {
	const legacy = createRepository(store.keyv, 'guild-weights', ServerWeightsRecord);
	const perConcession = createRepository(store.keyv, 'weight', ConcessionWeightRecord);
	// A change reads one concession's record and writes it back; the lock makes two changes to the same concession
	// (a cost and a value at the same moment) apply one after the other. Each server's interactions reach the one
	// process that owns it, so an in-process lock is enough; changes to different concessions never share a key.
	const lock = new KeyedLock();
	const keyOf = (guildId: string, concessionId: string) => `${guildId}:${concessionId}`;
	const prefixOf = (guildId: string) => `${perConcession.prefix}:${guildId}:`;

	async function listChanged(guildId: string): Promise<Map<string, ConcessionWeightRecord>> {
		const prefix = prefixOf(guildId);
		const result = new Map<string, ConcessionWeightRecord>();
		for (const entry of await store.listByPrefix(prefix)) {
			const parsed = ConcessionWeightRecord.safeParse(entry.value);
			if (!parsed.success) throw new CorruptRecordError(`stored weights ${entry.key} do not match their schema`);
			result.set(entry.key.slice(prefix.length), parsed.data);
		}
		return result;
	}

	/** The override in force for one concession: its own key if it has one, else the old whole-server record. */
	async function current(guildId: string, concessionId: string): Promise<WeightOverride | undefined> {
		const own = await perConcession.get(keyOf(guildId, concessionId));
		if (own) return own.override ?? undefined;
		const old = await legacy.get(guildId);
		return old && Object.hasOwn(old.overrides, concessionId) ? old.overrides[concessionId] : undefined;
	}

	return {
		async get(guildId) {
			const [old, changed] = await Promise.all([legacy.get(guildId), listChanged(guildId)]);
			const overrides: Record<string, WeightOverride> = { ...old?.overrides };
			for (const [concessionId, record] of changed) {
				if (record.override) overrides[concessionId] = record.override;
				else delete overrides[concessionId];
			}
			return overrides;
		},
		change: (guildId, concessionId, change, updatedBy, now) =>
			lock.run(keyOf(guildId, concessionId), async () => {
				const override = applyWeightChange(await current(guildId, concessionId), change);
				await perConcession.set(keyOf(guildId, concessionId), {
					schemaVersion: 1,
					override,
					updatedBy,
					updatedAt: now,
				});
				return override;
			}),
		resetOne: (guildId, concessionId, updatedBy, now) =>
			lock.run(keyOf(guildId, concessionId), async () => {
				// A record rather than a deletion, so that an entry in an old whole-server record stays reset too.
				await perConcession.set(keyOf(guildId, concessionId), {
					schemaVersion: 1,
					override: null,
					updatedBy,
					updatedAt: now,
				});
			}),
		async resetAll(guildId) {
			// The old record first: stopping half-way must never bring back a weight that a newer record had reset.
			await legacy.delete(guildId);
			const changed = await listChanged(guildId);
			await Promise.all([...changed.keys()].map((concessionId) => perConcession.delete(keyOf(guildId, concessionId))));
		},
	};
}
