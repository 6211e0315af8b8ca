import { z } from 'zod';

/** Discord rejects custom_id values longer than 100 characters. */
export const CUSTOM_ID_MAX_LENGTH = 100;
const SEPARATOR = ':';
const Part = z.string().regex(/^[A-Za-z0-9_.-]{1,60}$/);

export interface CustomId {
	readonly command: string;
	readonly action: string;
	readonly args: readonly string[];
}

/** `<command>:<action>:<args…>`: the first part routes the component to its command. */
export function encodeCustomId(command: string, action: string, ...args: string[]): string {
	const parts = [command, action, ...args];
	for (const part of parts) {
		if (!Part.safeParse(part).success)
			throw new TypeError(`custom_id part ${JSON.stringify(part)} is not [A-Za-z0-9_.-]{1,60}`);
	}
	const id = parts.join(SEPARATOR);
	if (id.length > CUSTOM_ID_MAX_LENGTH)
		throw new RangeError(`custom_id is ${id.length} chars (max ${CUSTOM_ID_MAX_LENGTH}): ${id}`);
	return id;
}

const CustomIdSchema = z
	.string()
	.max(CUSTOM_ID_MAX_LENGTH)
	.transform((value) => value.split(SEPARATOR))
	.pipe(z.tuple([Part, Part], Part))
	.transform(([command, action, ...args]): CustomId => ({ command, action, args }));

/** Parses a custom_id from any message, including old or forged ones; `undefined` when it is not ours. */
export function decodeCustomId(value: string): CustomId | undefined {
	const result = CustomIdSchema.safeParse(value);
	return result.success ? result.data : undefined;
}
