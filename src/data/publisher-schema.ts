import { z } from 'zod';

/**
 * What kind of publisher a source comes from (see docs/sources.md):
 * - `primary`: the texts themselves and official statements, on the issuing body's own site;
 * - `archive`: collections that reproduce primary texts faithfully and say where they come from;
 * - `research`: research and government-analysis bodies;
 * - `news`: news organisations on their own domains;
 * - `reference`: encyclopedias, for background only.
 */
export const PUBLISHER_KINDS = ['primary', 'archive', 'research', 'news', 'reference'] as const;
export const PublisherKind = z.enum(PUBLISHER_KINDS);
export type PublisherKind = z.infer<typeof PublisherKind>;

export const PublisherId = z
	.string()
	.regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'publisher id: lowercase letters, digits, dashes');

/** A hostname exactly as it appears in a URL (no scheme, no port, no path). */
const Hostname = z
	.string()
	.regex(/^(?=.{3,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/, 'a lowercase hostname such as state.gov');

export const Publisher = z
	.object({
		id: PublisherId,
		/** How the publisher is named to readers ("U.S. Department of State"). */
		name: z.string().trim().min(2).max(80),
		/** Other names a title might use for it ("State Department", "AP"). */
		aliases: z.array(z.string().trim().min(2).max(60)).default([]),
		kind: PublisherKind,
		/**
		 * The publisher's own hosts, matched exactly (a listed host also accepts its `www.` form). Sub-sites are listed
		 * one by one on purpose: a publisher's unrelated sub-site (a campaign or sports microsite) is not its newsroom.
		 */
		hosts: z.array(Hostname).min(1),
	})
	.strict();
export type Publisher = z.infer<typeof Publisher>;

export const PublishersFile = z
	.object({
		schemaVersion: z.literal(1),
		publishers: z.array(Publisher).min(1),
	})
	.strict()
	.superRefine((file, context) => {
		const ids = new Set<string>();
		const hosts = new Map<string, string>();
		file.publishers.forEach((publisher, index) => {
			if (ids.has(publisher.id))
				context.addIssue({
					code: 'custom',
					path: ['publishers', index, 'id'],
					message: `duplicate id "${publisher.id}"`,
				});
			ids.add(publisher.id);
			for (const host of publisher.hosts) {
				const owner = hosts.get(host);
				if (owner)
					context.addIssue({
						code: 'custom',
						path: ['publishers', index, 'hosts'],
						message: `host "${host}" already belongs to ${owner}`,
					});
				hosts.set(host, publisher.id);
			}
		});
	});
export type PublishersFile = z.infer<typeof PublishersFile>;
