import { MessageFlags } from 'discord.js';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/discord/command.js';
import { createInteractionRouter } from '../../src/discord/router.js';
import { UserFacingError } from '../../src/errors.js';
import { collectingLogger, fakeInteraction, testContext } from '../support/fakes.js';

function commandThat(behaviour: () => Promise<void>, extra: Partial<Command> = {}): Command {
	return {
		data: { name: 'thing', toJSON: () => ({ name: 'thing', description: 'A thing' }) },
		help: { summary: 'A thing.', examples: ['/thing'] },
		execute: behaviour,
		...extra,
	};
}

function setup(command: Command) {
	const { logger, lines } = collectingLogger();
	const router = createInteractionRouter([command], testContext([command], logger));
	return { router, lines };
}

describe('interaction router', () => {
	it('runs the named command', async () => {
		let ran = false;
		const { router } = setup(
			commandThat(async () => {
				ran = true;
			}),
		);
		await router.handle(fakeInteraction('command', { commandName: 'thing' }).interaction);
		expect(ran).toBe(true);
	});

	it('shows a UserFacingError to the user, ephemeral and without pings', async () => {
		const { router, lines } = setup(
			commandThat(async () => Promise.reject(new UserFacingError('That poll has closed.'))),
		);
		const fake = fakeInteraction('command', { commandName: 'thing' });
		await router.handle(fake.interaction);
		expect(fake.replies).toEqual([
			{
				method: 'reply',
				payload: { content: 'That poll has closed.', flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } },
			},
		]);
		expect(lines.filter((line) => line.level >= 50)).toHaveLength(0);
	});

	it('answers a bug with a short apology and a reference id, and logs the stack', async () => {
		const { router, lines } = setup(commandThat(async () => Promise.reject(new Error('kaboom'))));
		const fake = fakeInteraction('command', { commandName: 'thing' });
		await router.handle(fake.interaction);
		const reply = fake.replies[0]?.payload as { content: string; flags: number };
		expect(reply.content).toMatch(/^Sorry, something went wrong on our side\..*`E-00001234`/);
		expect(reply.content).not.toContain('kaboom');
		expect(reply.flags).toBe(MessageFlags.Ephemeral);
		const errorLine = lines.find((line) => line.level === 50);
		expect(errorLine).toMatchObject({ msg: 'interaction failed', reference: 'E-00001234', command: 'thing' });
		expect(JSON.stringify(errorLine)).toContain('kaboom');
	});

	it('survives when even the apology cannot be sent', async () => {
		const { router, lines } = setup(commandThat(async () => Promise.reject(new Error('kaboom'))));
		await expect(
			router.handle(fakeInteraction('command', { commandName: 'thing', failReply: true }).interaction),
		).resolves.toBeUndefined();
		expect(lines.some((line) => line.msg === 'could not tell the user about a failure')).toBe(true);
	});

	it('tells the user when a button is not recognised', async () => {
		const { router } = setup(commandThat(async () => {}));
		for (const customId of ['garbage', 'other:vote:1', 'thing:vote:1']) {
			const fake = fakeInteraction('button', { customId });
			await router.handle(fake.interaction);
			expect(fake.replies[0]?.payload).toMatchObject({
				content: expect.stringContaining('no longer recognises'),
				flags: MessageFlags.Ephemeral,
			});
		}
	});

	it('routes a button to its command with the decoded id', async () => {
		const seen: unknown[] = [];
		const { router } = setup(commandThat(async () => {}, { button: async (_interaction, id) => void seen.push(id) }));
		await router.handle(fakeInteraction('button', { customId: 'thing:vote:42:1' }).interaction);
		expect(seen).toEqual([{ command: 'thing', action: 'vote', args: ['42', '1'] }]);
	});

	it('answers autocomplete with no choices when the handler fails', async () => {
		const { router } = setup(
			commandThat(async () => {}, { autocomplete: async () => Promise.reject(new Error('index broken')) }),
		);
		const fake = fakeInteraction('autocomplete', { commandName: 'thing' });
		await router.handle(fake.interaction);
		expect(fake.replies).toEqual([{ method: 'respond', payload: [] }]);
	});

	it('after stopAccepting, answers "restarting" and drains what is in flight', async () => {
		let release: () => void = () => {};
		const { router } = setup(commandThat(() => new Promise<void>((resolve) => (release = resolve))));
		const slow = router.handle(fakeInteraction('command', { commandName: 'thing' }).interaction);
		expect(router.inFlight).toBe(1);
		router.stopAccepting();
		const late = fakeInteraction('command', { commandName: 'thing' });
		await router.handle(late.interaction);
		expect(late.replies[0]?.payload).toMatchObject({ content: expect.stringContaining('restarting') });
		const drained = router.drain(5_000);
		release();
		await slow;
		expect(await drained).toEqual({ unfinished: 0 });
	});
});
