/**
 * The stores every repository test runs against: SQLite always; Redis and PostgreSQL when REDIS_URL / POSTGRES_URL
 * are set (CI sets them to the servers on its machine; a fresh laptop has neither, and those runs are skipped).
 */
export interface Backend {
	readonly name: 'sqlite' | 'redis' | 'postgres';
	/** null when the backend is not available on this machine. */
	readonly url: (sqlitePath: string) => string | null;
}

export const BACKENDS: readonly Backend[] = [
	{ name: 'sqlite', url: (path) => `sqlite://${path}` },
	{ name: 'redis', url: () => process.env.REDIS_URL ?? null },
	{ name: 'postgres', url: () => process.env.POSTGRES_URL ?? null },
];

/** A namespace nobody else uses, so runs on a shared server never see each other's keys. */
export function freshNamespace(): string {
	return `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}
