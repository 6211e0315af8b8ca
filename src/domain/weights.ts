import { z } from 'zod';
import { type Concession, type Side, WEIGHT_MAX, WEIGHT_MIN, Weight } from '../data/concession-schema.js';

/** A moderator's replacement for one concession's weights on their server; either field may be left as default. */
export const WeightOverride = z
	.object({ costToGiver: Weight.optional(), valueToReceiver: Weight.optional() })
	.strict()
	.refine((override) => override.costToGiver !== undefined || override.valueToReceiver !== undefined, {
		message: 'an override must change at least one weight',
	});
export type WeightOverride = z.infer<typeof WeightOverride>;

/** Keyed by concession id; stale keys (ids no longer in the catalog) are ignored. */
export type WeightOverrides = Readonly<Record<string, WeightOverride>>;

export type WeightValidation = { ok: true; override: WeightOverride } | { ok: false; message: string };

const FIELD_LABELS = { costToGiver: 'cost to the giver', valueToReceiver: 'value to the receiver' } as const;

/**
 * Checks a moderator's proposed weights before they are stored. The message is meant for the moderator,
 * so it names the allowed range rather than echoing a schema error.
 */
export function validateWeightOverride(
	id: string,
	proposed: { costToGiver?: number | undefined; valueToReceiver?: number | undefined },
	catalog: readonly Concession[],
): WeightValidation {
	if (!catalog.some((entry) => entry.id === id)) return { ok: false, message: `There is no concession "${id}".` };
	const problems: string[] = [];
	for (const field of ['costToGiver', 'valueToReceiver'] as const) {
		const value = proposed[field];
		if (value === undefined) continue;
		if (!Number.isInteger(value) || value < WEIGHT_MIN || value > WEIGHT_MAX) {
			problems.push(`${FIELD_LABELS[field]} ${value} is not allowed`);
		}
	}
	if (problems.length > 0) {
		return {
			ok: false,
			message: `Weights must be whole numbers from ${WEIGHT_MIN} to ${WEIGHT_MAX}: ${problems.join('; ')}.`,
		};
	}
	if (proposed.costToGiver === undefined && proposed.valueToReceiver === undefined) {
		return { ok: false, message: 'Give a cost to the giver, a value to the receiver, or both.' };
	}
	const override: WeightOverride = {};
	if (proposed.costToGiver !== undefined) override.costToGiver = proposed.costToGiver;
	if (proposed.valueToReceiver !== undefined) override.valueToReceiver = proposed.valueToReceiver;
	return { ok: true, override };
}

/**
 * One moderator's change to a concession applied to the override in force: the fields they gave replace the old
 * ones, the fields they left out stay as they were. Two changes to different fields therefore both survive.
 */
export function applyWeightChange(previous: WeightOverride | undefined, change: WeightOverride): WeightOverride {
	const merged: WeightOverride = { ...previous };
	if (change.costToGiver !== undefined) merged.costToGiver = change.costToGiver;
	if (change.valueToReceiver !== undefined) merged.valueToReceiver = change.valueToReceiver;
	return merged;
}

/** A catalog entry with the weights actually used for it. */
export interface WeightedConcession {
	readonly id: string;
	readonly name: string;
	readonly giver: Side;
	readonly costToGiver: number;
	readonly valueToReceiver: number;
	/** True when a server override replaced at least one default weight. */
	readonly overridden: boolean;
	readonly entry: Concession;
}

export type WeightsSource = 'default' | 'server';

/** The weights in force for every catalog entry, in catalog order. Throws TypeError on an out-of-range override. */
export function effectiveWeights(
	catalog: readonly Concession[],
	overrides: WeightOverrides = {},
): WeightedConcession[] {
	return catalog.map((entry) => {
		const override = Object.hasOwn(overrides, entry.id) ? overrides[entry.id] : undefined;
		const costToGiver = override?.costToGiver ?? entry.costToGiver;
		const valueToReceiver = override?.valueToReceiver ?? entry.valueToReceiver;
		for (const weight of [costToGiver, valueToReceiver]) {
			if (!Weight.safeParse(weight).success) {
				throw new TypeError(`weight ${weight} for "${entry.id}" is outside ${WEIGHT_MIN}–${WEIGHT_MAX}`);
			}
		}
		const overridden = costToGiver !== entry.costToGiver || valueToReceiver !== entry.valueToReceiver;
		return { id: entry.id, name: entry.name, giver: entry.giver, costToGiver, valueToReceiver, overridden, entry };
	});
}

/** What each side gives, as catalog ids; phases are optional (1 = first). */
export interface PackageInput {
	readonly usGives: readonly string[];
	readonly dprkGives: readonly string[];
	/** Phase number per item id; items without one are treated as phase 1, i.e. part of the opening move. */
	readonly phases?: Readonly<Record<string, number>>;
}

export interface ResolvedPackage {
	/** Items each side gives, deduplicated and in catalog order so equal packages give equal results. */
	readonly us: readonly WeightedConcession[];
	readonly dprk: readonly WeightedConcession[];
	readonly phaseOf: ReadonlyMap<string, number>;
	readonly weightsSource: WeightsSource;
	/** Every catalog entry with its effective weights, for searching changes to the package. */
	readonly all: readonly WeightedConcession[];
}

/**
 * Maps a package's ids to weighted catalog entries. Ids are expected to be parsed already, so an unknown id,
 * an item on the wrong side or a malformed phase is a programming error and throws TypeError.
 */
export function resolvePackage(
	input: PackageInput,
	catalog: readonly Concession[],
	overrides: WeightOverrides = {},
): ResolvedPackage {
	const all = effectiveWeights(catalog, overrides);
	const byId = new Map(all.map((item) => [item.id, item]));
	const pick = (ids: readonly string[], side: Side): WeightedConcession[] => {
		const wanted = new Set<string>();
		for (const id of ids) {
			const item = byId.get(id);
			if (item === undefined) throw new TypeError(`unknown concession id "${id}"`);
			if (item.giver !== side) throw new TypeError(`"${id}" is given by ${item.giver}, not ${side}`);
			wanted.add(id);
		}
		return all.filter((item) => wanted.has(item.id));
	};
	const us = pick(input.usGives, 'us');
	const dprk = pick(input.dprkGives, 'dprk');

	const phaseOf = new Map<string, number>();
	const inPackage = new Set([...us, ...dprk].map((item) => item.id));
	for (const [id, phase] of Object.entries(input.phases ?? {})) {
		if (!inPackage.has(id)) throw new TypeError(`phase given for "${id}", which is not in the package`);
		if (!Number.isInteger(phase) || phase < 1) throw new TypeError(`phase for "${id}" must be a whole number ≥ 1`);
		phaseOf.set(id, phase);
	}
	const knownOverrides = Object.keys(overrides).some((id) => byId.has(id));
	return { us, dprk, phaseOf, weightsSource: knownOverrides ? 'server' : 'default', all };
}
