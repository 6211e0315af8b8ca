import type Keyv from 'keyv';
import { z } from 'zod';
import { WeightOverride, type WeightOverrides } from '../domain/weights.js';
import { createRepository } from './repository.js';

/** A server's own valuation of concessions for /balance, set by its moderators. */
export const ServerWeightsRecord = z.object({
	schemaVersion: z.literal(1),
	overrides: z.record(z.string(), WeightOverride),
	updatedBy: z.string(),
	updatedAt: z.number().int(),
});
export type ServerWeightsRecord = z.infer<typeof ServerWeightsRecord>;

export interface ServerWeightsStore {
	get(guildId: string): Promise<WeightOverrides>;
	set(guildId: string, overrides: WeightOverrides, updatedBy: string, now: number): Promise<void>;
	reset(guildId: string): Promise<void>;
}

export function createServerWeightsStore(keyv: Keyv): ServerWeightsStore {
	const repository = createRepository(keyv, 'guild-weights', ServerWeightsRecord);
	return {
		async get(guildId) {
			return (await repository.get(guildId))?.overrides ?? {};
		},
		async set(guildId, overrides, updatedBy, now) {
			await repository.set(guildId, { schemaVersion: 1, overrides: { ...overrides }, updatedBy, updatedAt: now });
		},
		async reset(guildId) {
			await repository.delete(guildId);
		},
	};
}
