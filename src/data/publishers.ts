import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError, describeIssues, readJson } from './load-json.js';
import { type Publisher, type PublisherKind, PublishersFile } from './publisher-schema.js';

export const DEFAULT_PUBLISHERS_PATH = fileURLToPath(new URL('../../data/publishers.json', import.meta.url));

/** The publishers Parley cites, looked up by id and by host. */
export interface PublisherRegistry {
	readonly publishers: readonly Publisher[];
	readonly byId: ReadonlyMap<string, Publisher>;
}

export function createPublisherRegistry(publishers: readonly Publisher[]): PublisherRegistry {
	return { publishers, byId: new Map(publishers.map((publisher) => [publisher.id, publisher])) };
}

export function loadPublishers(path: string = DEFAULT_PUBLISHERS_PATH): PublisherRegistry {
	const problems: string[] = [];
	const json = readJson(path, problems);
	if (json === undefined) throw new DataError(`Publishers in ${path}`, problems);
	const parsed = PublishersFile.safeParse(json);
	if (!parsed.success)
		throw new DataError(`Publishers in ${path}`, describeIssues(basename(path), parsed.error.issues));
	return createPublisherRegistry(parsed.data.publishers);
}

/** What a source must say about itself to be checked against the policy. */
export interface CheckedSource {
	readonly url: string;
	readonly publisher: string;
	readonly title: string;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
/** Wiki machinery rather than an article: edit, history, talk, login and special pages. */
const WIKI_MACHINERY = /(^|[/?&=])(index\.php|action=(edit|history|raw)|Special:|Talk:|User:|returnto=|oldid=)/i;
/** Publisher kinds whose names in another host's title mean the page claims to be someone else's copy. */
const NAMED_KINDS: ReadonlySet<PublisherKind> = new Set(['news', 'archive', 'research']);

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** True when `name` appears in `title` as a whole word (acronyms such as "AP" only in capitals). */
function names(title: string, name: string): boolean {
	const acronym = name.length <= 5 && name === name.toUpperCase();
	const pattern = new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(name)}($|[^\\p{L}\\p{N}])`, acronym ? 'u' : 'iu');
	return pattern.test(title);
}

/** The host a publisher is matched on: lowercase, without a leading `www.`. */
export function hostOf(url: URL): string {
	return url.hostname.toLowerCase().replace(/^www\./, '');
}

/**
 * Every way a source breaks the source policy (empty when it complies): an address that is not a listed publisher's
 * own host, a raw IP or a non-standard port, wiki machinery instead of an article, or a title that names another
 * publisher (a copy passing itself off as Reuters or Yonhap).
 */
export function sourcePolicyProblems(source: CheckedSource, registry: PublisherRegistry): string[] {
	const problems: string[] = [];
	let url: URL;
	try {
		url = new URL(source.url);
	} catch {
		return [`"${source.url}" is not a URL`];
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') problems.push(`${url.protocol} links are not allowed`);
	if (url.username || url.password) problems.push('links may not carry credentials');
	const hostname = url.hostname.toLowerCase();
	if (IPV4.test(hostname) || hostname.startsWith('[')) problems.push(`${hostname} is a raw IP address`);
	if (url.port !== '') problems.push(`port ${url.port} is not a standard port`);
	if (/&(amp|lt|gt|quot|#\d+);/.test(source.url))
		problems.push('the address holds an HTML entity (&amp;): unescape it');
	if (WIKI_MACHINERY.test(`${url.pathname}${url.search}`))
		problems.push('wiki edit, talk or special pages are not sources');
	const publisher = registry.byId.get(source.publisher);
	if (!publisher) {
		problems.push(`publisher "${source.publisher}" is not in data/publishers.json`);
		return problems;
	}
	const host = hostOf(url);
	if (!publisher.hosts.includes(host))
		problems.push(`host ${hostname} is not one of ${publisher.name}'s (${publisher.hosts.join(', ')})`);
	const own = new Set([publisher.name, ...publisher.aliases].map((name) => name.toLowerCase()));
	for (const other of registry.publishers) {
		if (other.id === publisher.id || !NAMED_KINDS.has(other.kind)) continue;
		for (const name of [other.name, ...other.aliases]) {
			if (own.has(name.toLowerCase())) continue;
			if (names(source.title, name)) problems.push(`title names ${other.name}, but the page is ${publisher.name}'s`);
		}
	}
	return problems;
}
