import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';

describe('command registry', () => {
	it('lists every module in commands/ exactly once', () => {
		const files = readdirSync('commands')
			.filter((file) => file.endsWith('.ts') && file !== 'index.ts')
			.map((file) => file.replace(/\.ts$/, ''));
		expect(commands.map((command) => command.data.name).sort()).toEqual(files.sort());
	});

	it('has unique names, valid definitions and an example for /help that uses the command', () => {
		const names = new Set<string>();
		for (const command of commands) {
			const json = command.data.toJSON();
			expect(json.name).toMatch(/^[a-z][a-z0-9_-]{0,31}$/);
			expect(json.description.length).toBeGreaterThan(0);
			expect(json.description.length).toBeLessThanOrEqual(100);
			expect(names.has(json.name)).toBe(false);
			names.add(json.name);
			expect(command.help.examples.length).toBeGreaterThan(0);
			for (const example of command.help.examples) expect(example.startsWith(`/${json.name}`)).toBe(true);
		}
	});
});
