import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { ACTIONS_HELP } from './actions.js';
import { type ActionResult, TrySession } from './session.js';

/**
 * `npm run try`: Parley on a local stand-in for Discord, no token and no network.
 *   npm run try                      interactive console
 *   npm run try -- '/help' '/deal leapday'      each argument one action
 *   npm run try -- --script FILE     one action per line (# comments and blank lines skipped)
 *   --keep                           keep the bot's store in .try/parley.sqlite between runs
 */
const USAGE = `usage: npm run try [-- [--keep] [--script FILE] [ACTION …]]\n\n${ACTIONS_HELP}`;

async function main(): Promise<number> {
	let parsed: ReturnType<
		typeof parseArgs<{
			options: { script: { type: 'string' }; keep: { type: 'boolean' }; help: { type: 'boolean'; short: 'h' } };
			allowPositionals: true;
		}>
	>;
	try {
		parsed = parseArgs({
			options: { script: { type: 'string' }, keep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
			allowPositionals: true,
		});
	} catch (error) {
		process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
		return 2;
	}
	if (parsed.values.help) {
		process.stdout.write(`${USAGE}\n`);
		return 0;
	}
	let lines: string[] | null = parsed.positionals.length > 0 ? parsed.positionals : null;
	if (parsed.values.script) {
		if (!existsSync(parsed.values.script)) {
			process.stderr.write(`no such script file: ${parsed.values.script}\n`);
			return 2;
		}
		lines = [...(lines ?? []), ...readFileSync(parsed.values.script, 'utf8').split('\n')];
	}

	const session = await TrySession.start({
		...(parsed.values.keep ? { storePath: '.try/parley.sqlite', keepStore: true } : {}),
		logFile: '.try/bot.log',
	});
	process.stdout.write(
		`Parley is running on a local stand-in for Discord (server "${session.standIn.defaultGuild.name}", #${session.standIn.defaultChannel().name}); you are "mod", a moderator. Bot log: .try/bot.log\n`,
	);
	const print = (result: ActionResult) => {
		process.stdout.write(`\n▶ ${result.line}\n${result.text}\n`);
	};

	const failures: ActionResult[] = [];
	try {
		if (lines) {
			for (const raw of lines) {
				const line = raw.trim();
				if (!line || line.startsWith('#')) continue;
				const result = await session.run(line);
				print(result);
				if (!result.ok) failures.push(result);
			}
		} else {
			const interactive = process.stdin.isTTY === true;
			if (interactive) process.stdout.write(`Type an action, "help" for the list, "quit" to leave.\n`);
			const readline = createInterface({ input: process.stdin, output: process.stdout, terminal: interactive });
			if (interactive) readline.setPrompt('parley> ');
			if (interactive) readline.prompt();
			for await (const raw of readline) {
				const line = raw.trim();
				if (line === 'quit' || line === 'exit') break;
				if (line && !line.startsWith('#')) {
					const result = await session.run(line);
					print(result);
					if (!result.ok) failures.push(result);
				}
				if (interactive) readline.prompt();
			}
			readline.close();
		}
	} finally {
		await session.stop();
	}
	if (failures.length > 0) {
		process.stdout.write(`\n${failures.length} action${failures.length === 1 ? '' : 's'} failed:\n`);
		for (const failure of failures) process.stdout.write(`  ✗ ${failure.line} — ${failure.error ?? 'failed'}\n`);
		return 1;
	}
	return 0;
}

process.exitCode = await main();
