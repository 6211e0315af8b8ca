import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrySession } from '../../src/local/session.js';

/** Bugs the fuzz run (tests/e2e/fuzz.test.ts) found, each pinned by the smallest interaction that showed it. */
describe('fuzz regressions', () => {
	let session: TrySession;
	beforeAll(async () => {
		session = await TrySession.start({ logLevel: 'warn' });
	});
	afterAll(async () => {
		await session.stop();
	});

	/** Names of one side's concessions, comma-separated, as many as fit in the option's 1,000 characters. */
	function namesGivenBy(giver: 'us' | 'dprk'): string {
		let text = '';
		for (const item of session.running.ctx.library.catalog.concessions) {
			if (item.giver !== giver) continue;
			const next = text ? `${text}, ${item.name}` : item.name;
			if (next.length > 1000) break;
			text = next;
		}
		return text;
	}

	it('/balance with every item on the wrong side still answers, in one message Discord accepts', async () => {
		const { standIn } = session;
		const violationsBefore = standIn.violations.length;
		// Each item on the wrong side is one line of the refusal; together they ran past 2,000 characters, Discord
		// refused the reply and the member saw "The application did not respond".
		const record = standIn.command(standIn.member('alice'), {
			name: 'balance',
			options: { us_gives: namesGivenBy('dprk'), nk_gives: namesGivenBy('us') },
		});
		const outputs = await standIn.settle(record);
		expect(standIn.violations.slice(violationsBefore)).toEqual([]);
		const content = outputs[0]?.message?.content ?? '';
		expect(outputs[0]?.kind).toBe('reply');
		expect(content.length).toBeLessThanOrEqual(2000);
		expect(content).toMatch(/^I couldn't read that package:\n• us_gives: “.+” \(.+\) is something North Korea gives\./);
		expect(content).toMatch(/…and \d+ more problems\. Fix these first, then try again\.$/);
		expect(session.errors).toEqual([]);
	});

	it('/weights names the moderator so that markdown in a username cannot mangle it', async () => {
		const { standIn } = session;
		// Discord usernames may contain underscores; "__init__" in plain text renders as an underlined "init".
		const moderator = standIn.member('__init__', standIn.defaultGuild, ['Moderator']);
		const set = await standIn.settle(
			standIn.command(moderator, {
				name: 'weights',
				subcommand: 'set',
				options: { concession: 'food aid', value: '6' },
			}),
		);
		const reset = await standIn.settle(standIn.command(moderator, { name: 'weights', subcommand: 'reset' }));
		expect(set[0]?.message?.content).toContain(`<@${moderator.id}> set this server’s weights for **Food aid**:`);
		expect(reset[0]?.message?.content).toBe(`<@${moderator.id}> reset every /balance weight to Parley’s defaults.`);
		expect(standIn.violations).toEqual([]);
	});
});
