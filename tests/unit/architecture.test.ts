import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function filesUnder(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
		entry.isDirectory() ? filesUnder(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
	);
}

describe('architecture', () => {
	it('keeps src/domain pure: no discord.js, no Keyv, no Node I/O, no renderer, no environment', () => {
		const forbidden = [
			/from 'discord/,
			/from 'keyv'/,
			/from '@keyv\//,
			/from 'node:/,
			/from '\.\.\/render\//,
			/from '\.\.\/store\//,
			/process\.env/,
			/Date\.now\(\)/,
		];
		for (const file of filesUnder('src/domain')) {
			const source = readFileSync(file, 'utf8');
			for (const pattern of forbidden) expect(source, `${file} matches ${pattern}`).not.toMatch(pattern);
		}
	});

	it('reads the environment only in the config module and the entry points', () => {
		// The config module, the console, and the harness that starts the bot as a child process with a clean environment.
		const allowed = new Set(['src/config.ts', 'src/local/try.ts', 'src/local/harness/bot-process.ts']);
		for (const file of [...filesUnder('src'), ...filesUnder('commands')]) {
			if (allowed.has(file)) continue;
			expect(readFileSync(file, 'utf8'), file).not.toMatch(/process\.env/);
		}
	});
});
