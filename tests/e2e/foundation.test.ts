import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { TrySession } from '../../src/local/session.js';
import { probe } from '../support/probe-command.js';

/** The real bot (startBot, real discord.js Client) against the stand-in, driven like `npm run try`. */
describe('Parley end to end on the stand-in', () => {
	let session: TrySession;

	beforeAll(async () => {
		session = await TrySession.start({ commands: [...commands, probe], logLevel: 'debug' });
	});
	afterAll(async () => {
		await session.stop();
	});

	it('logged in through /gateway/bot with the bot token and registered its commands in the dev server', () => {
		const gateway = session.standIn.traffic.find((request) => request.path === '/gateway/bot');
		expect(gateway?.auth).toBe('bot');
		const registered = session.standIn.commandsFor(session.standIn.defaultGuild.id).map((command) => command.name);
		expect(registered).toEqual(expect.arrayContaining(['help', 'probe']));
		expect(session.standIn.connectedShards).toEqual([0]);
	});

	it('/help lists every command with an example, privately', async () => {
		const result = await session.run('/help');
		expect(result.ok).toBe(true);
		expect(result.text).toContain('only mod can see this');
		for (const command of [...commands, probe]) {
			expect(result.text).toContain(`/${command.data.name}`);
			expect(result.text).toContain(command.help.examples[0]);
		}
	});

	it('answers autocomplete from what is typed', async () => {
		const result = await session.run('complete /probe word:ga');
		expect(result.ok).toBe(true);
		expect(result.outputs[0]?.choices).toEqual([{ name: 'gamma', value: 'gamma' }]);
	});

	it('handles a button on its own message, for another member', async () => {
		expect((await session.run('/probe beta')).ok).toBe(true);
		const result = await session.run('as alice click Echo');
		expect(result.ok).toBe(true);
		expect(result.text).toContain('Echo: beta (pressed by alice)');
		expect(result.text).toContain('only alice can see this');
	});

	it('supports defer then edit', async () => {
		const result = await session.run('/probe slow');
		expect(result.ok).toBe(true);
		expect(result.outputs.map((output) => output.kind)).toEqual(['defer', 'edit-original']);
		expect(result.text).toContain('slow answer');
	});

	it('shows a UserFacingError as a private message and stays quiet in the error log', async () => {
		const errorsBefore = session.errors.length;
		const result = await session.run('/probe nope');
		expect(result.ok).toBe(true);
		expect(result.text).toContain('Nope: pick another word.');
		expect(session.errors.length).toBe(errorsBefore);
	});

	it('apologises with a reference id when a handler throws, and keeps serving', async () => {
		const result = await session.run('/probe boom');
		expect(result.ok).toBe(false);
		expect(result.error).toContain('the bot logged an error');
		expect(result.text).toMatch(/Sorry, something went wrong on our side\..*`E-\d{8}`/);
		expect(result.text).not.toContain('kaboom');
		const button = await session.run('/probe delta');
		expect(button.ok).toBe(true);
		const exploded = await session.run('click Explode');
		expect(exploded.text).toContain('Sorry, something went wrong');
		expect((await session.run('/help')).ok).toBe(true);
	});

	it('a button from before a restart still works after it', async () => {
		expect((await session.run('/probe epsilon')).ok).toBe(true);
		const restart = await session.run('restart');
		expect(restart.ok).toBe(true);
		const identifies = session.standIn.traffic.filter((request) => request.path === '/gateway/bot').length;
		expect(identifies).toBeGreaterThanOrEqual(2);
		const result = await session.run('as bob click Echo');
		expect(result.ok).toBe(true);
		expect(result.text).toContain('Echo: epsilon (pressed by bob)');
	});

	it('reports console mistakes as failed actions', async () => {
		expect((await session.run('/nosuchcommand')).error).toContain('there is no /nosuchcommand command');
		expect((await session.run('/probe')).error).toContain('needs the option word');
		expect((await session.run('/probe alpha colour:red')).error).toContain('has no option "colour"');
		expect((await session.run('click Nothing-like-this')).error).toContain('no button labelled');
	});

	it('broke none of Discord’s rules in the whole run', () => {
		expect(session.standIn.violations).toEqual([]);
		for (const request of session.standIn.traffic) {
			if (request.path.includes('/callback') || request.path.startsWith('/webhooks')) continue;
			expect(request.auth, `${request.method} ${request.path}`).toBe('bot');
		}
	});
});
