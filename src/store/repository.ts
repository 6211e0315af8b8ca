import type Keyv from 'keyv';
import type { z } from 'zod';

/** A typed view of one key prefix in the shared Keyv. Values are validated on the way in and on the way out. */
export interface Repository<T> {
	readonly prefix: string;
	get(id: string): Promise<T | undefined>;
	getMany(ids: readonly string[]): Promise<(T | undefined)[]>;
	set(id: string, value: T): Promise<void>;
	delete(id: string): Promise<boolean>;
}

export class CorruptRecordError extends Error {
	override readonly name = 'CorruptRecordError';
}

export function createRepository<S extends z.ZodType>(keyv: Keyv, prefix: string, schema: S): Repository<z.output<S>> {
	const key = (id: string) => `${prefix}:${id}`;
	const parse = (id: string, raw: unknown): z.output<S> | undefined => {
		if (raw === undefined || raw === null) return undefined;
		const result = schema.safeParse(raw);
		if (!result.success)
			throw new CorruptRecordError(`stored record ${key(id)} does not match its schema: ${result.error.message}`);
		return result.data;
	};
	return {
		prefix,
		async get(id) {
			return parse(id, await keyv.get(key(id)));
		},
		async getMany(ids) {
			if (ids.length === 0) return [];
			const values: unknown[] = await keyv.getMany(ids.map(key));
			return ids.map((id, index) => parse(id, values[index]));
		},
		async set(id, value) {
			await keyv.set(key(id), schema.parse(value));
		},
		delete: (id) => keyv.delete(key(id)),
	};
}
