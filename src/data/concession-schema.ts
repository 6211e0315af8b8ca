import { z } from 'zod';
import { PublisherId } from './publisher-schema.js';

/** Concessions North Korea can give, in catalog order. The deal dataset links commitments to exactly these ids. */
export const DPRK_CONCESSION_IDS = [
	'nuclear-test-moratorium',
	'missile-test-moratorium',
	'yongbyon-freeze',
	'iaea-monitoring',
	'disablement',
	'yongbyon-dismantlement',
	'full-denuclearization',
	'symbolic-demolition',
	'missile-site-dismantlement',
	'declaration',
	'enrichment-moratorium',
	'non-transfer',
	'remains-return',
	'detainee-release',
	'npt-membership',
	'spent-fuel-storage',
] as const;

/** Concessions the United States and its partners (South Korea, Japan, KEDO, the Six-Party members) can give. */
export const US_CONCESSION_IDS = [
	'heavy-fuel-oil',
	'light-water-reactors',
	'food-aid',
	'us-sanctions-relief',
	'un-sanctions-relief',
	'terror-list-removal',
	'security-assurances',
	'exercise-suspension',
	'end-of-war-declaration',
	'peace-regime',
	'liaison-offices',
	'japan-normalization',
] as const;

export const CONCESSION_IDS = [...DPRK_CONCESSION_IDS, ...US_CONCESSION_IDS] as const;
export const ConcessionId = z.enum(CONCESSION_IDS);
export type ConcessionId = z.infer<typeof ConcessionId>;

/** The deals a concession can be traced to (the keys of deal-facts.md §0). */
export const DEAL_IDS = [
	'af1994',
	'jdd1992',
	'sixparty2005',
	'feb2007',
	'oct2007',
	'leapday2012',
	'panmunjom2018',
	'singapore2018',
	'pyongyang2018',
	'hanoi2019',
	'stockholm2019',
	'jun1993',
	'summit2000',
	'communique2000',
	'summit2007',
] as const;
export const DealId = z.enum(DEAL_IDS);
export type DealId = z.infer<typeof DealId>;

/** `us` stands for the United States and its partners. */
export const Side = z.enum(['dprk', 'us']);
export type Side = z.infer<typeof Side>;

export const WEIGHT_MIN = 0;
export const WEIGHT_MAX = 10;
/** One judgement on the 0–10 scale the catalog states in its header. */
export const Weight = z.number().int().min(WEIGHT_MIN).max(WEIGHT_MAX);
export type Weight = z.infer<typeof Weight>;

export const ReversalSpeed = z.enum(['days', 'weeks', 'months', 'years', 'irreversible']);
export type ReversalSpeed = z.infer<typeof ReversalSpeed>;

/** How the receiving side can check the step: not at all, from outside, with people on site, or in plain view. */
export const VerificationLevel = z.enum(['none', 'national-means', 'on-site', 'visible']);
export type VerificationLevel = z.infer<typeof VerificationLevel>;

const SourceKey = z.string().regex(/^[A-Za-z0-9-]+$/, 'must be a source key such as HN-hecker1');
const Text = (max: number) => z.string().trim().min(1).max(max);

export const Concession = z
	.object({
		id: ConcessionId,
		giver: Side,
		name: Text(60),
		/** What people type; matched case-insensitively and unique across the catalog. */
		aliases: z.array(Text(40)).min(1),
		description: Text(200),
		/** What giving it costs, judged by the giver. */
		costToGiver: Weight,
		/** What getting it is worth, judged by the receiver. */
		valueToReceiver: Weight,
		rationale: Text(200),
		sources: z.array(SourceKey).min(1),
		reversibility: z.object({ speed: ReversalSpeed, text: Text(200) }).strict(),
		verification: z.object({ level: VerificationLevel, text: Text(200) }).strict(),
		deals: z.array(DealId),
		/** Deals where the item's presence rests on press reports or oral claims rather than the agreed text. */
		reportedIn: z.array(DealId).default([]),
	})
	.strict();
export type Concession = z.infer<typeof Concession>;

export const ConcessionSource = z
	.object({
		key: SourceKey,
		url: z.url({ protocol: /^https?$/ }),
		/** The id of the publisher in data/publishers.json whose own page this is. */
		publisher: PublisherId,
		title: Text(160),
		supports: Text(300),
	})
	.strict();
export type ConcessionSource = z.infer<typeof ConcessionSource>;

export const ConcessionCatalog = z
	.object({
		schemaVersion: z.literal(1),
		scale: z
			.object({
				min: z.literal(WEIGHT_MIN),
				max: z.literal(WEIGHT_MAX),
				meaning: Text(600),
			})
			.strict(),
		disclaimer: Text(600),
		concessions: z.array(Concession).min(1),
		sources: z.array(ConcessionSource).min(1),
	})
	.strict();
export type ConcessionCatalog = z.infer<typeof ConcessionCatalog>;
