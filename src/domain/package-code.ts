import { z } from 'zod';

/**
 * A package of concessions packed into a short custom_id part: two bitmasks over a fixed, append-only list of ids,
 * in base 36 ("1b.k3"). Buttons on old messages keep meaning the same package as long as ids are only appended.
 */
export interface PackageIds {
	readonly usGives: readonly string[];
	readonly dprkGives: readonly string[];
}

// Ten base-36 digits stay below 2^53, so parseInt is exact.
const MASK = /^[0-9a-z]{1,10}$/;
const Code = z
	.string()
	.max(30)
	.transform((value) => value.split('.'))
	.pipe(z.tuple([z.string().regex(MASK), z.string().regex(MASK)]));

function toMask(ids: readonly string[], order: readonly string[]): bigint {
	let mask = 0n;
	for (const id of ids) {
		const index = order.indexOf(id);
		if (index < 0) throw new TypeError(`unknown concession id ${id}`);
		mask |= 1n << BigInt(index);
	}
	return mask;
}

function fromMask(mask: bigint, order: readonly string[]): string[] | null {
	const ids: string[] = [];
	for (let index = 0; mask >> BigInt(index) > 0n; index += 1) {
		if ((mask >> BigInt(index)) & 1n) {
			const id = order[index];
			if (id === undefined) return null;
			ids.push(id);
		}
	}
	return ids;
}

export function encodePackage(pkg: PackageIds, order: readonly string[]): string {
	return `${toMask(pkg.usGives, order).toString(36)}.${toMask(pkg.dprkGives, order).toString(36)}`;
}

/** `null` for anything that is not a code this list could have produced (old, forged or corrupted ids). */
export function decodePackage(code: string, order: readonly string[]): PackageIds | null {
	const parsed = Code.safeParse(code);
	if (!parsed.success) return null;
	const [us, dprk] = parsed.data;
	const usGives = fromMask(BigInt(Number.parseInt(us, 36)), order);
	const dprkGives = fromMask(BigInt(Number.parseInt(dprk, 36)), order);
	if (!usGives || !dprkGives) return null;
	return { usGives, dprkGives };
}
