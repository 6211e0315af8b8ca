import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrySession } from '../../src/local/session.js';

describe('/balance and /weights through the stand-in', () => {
	let session: TrySession;
	beforeAll(async () => {
		session = await TrySession.start();
	});
	afterAll(async () => {
		await session.stop();
	});

	it('checks a past deal’s package: both ledgers, verdict, precedent, suggestion, weights used', async () => {
		const result = await session.run('/balance deal:leapday');
		expect(result.ok).toBe(true);
		expect(result.outputs[0]?.message?.visibleTo).toBeNull();
		for (const part of [
			'United States (and partners)',
			'North Korea',
			'Net by its own weights',
			'Tilted toward the United States',
			'Closest precedent',
			'Leap Day Deal (2012)',
			'To rebalance',
			"Using Parley's default weights",
		]) {
			expect(result.text).toContain(part);
		}
		expect(result.text).toContain('Food aid — costs it');
		expect(result.text).toContain('Left out as claimed by one side only');
	});

	it('checks a typed package and explains how a generic name was read', async () => {
		const result = await session.run('/balance us_gives:"sanctions relief" nk_gives:"dismantle yongbyon"');
		expect(result.ok).toBe(true);
		expect(result.text).toContain('UN sanctions relief — costs it');
		expect(result.text).toContain('Dismantle Yongbyon — costs it');
		expect(result.text).toContain('Read “sanctions relief” as UN sanctions relief.');
		expect(result.text).toMatch(/Tilted toward|balanced/);
	});

	it('answers the three buttons privately', async () => {
		await session.run('/balance us_gives:"sanctions relief" nk_gives:"dismantle yongbyon"');
		const split = await session.run('as alice click Fair split');
		expect(split.text).toContain('Each side ends with **');
		expect(split.text).toContain('only alice can see this');
		const how = await session.run('as alice click How this is computed');
		expect(how.text).toContain('These weights are a model');
		const applied = await session.run('as alice click Apply suggestion');
		expect(applied.text).toContain('rebalanced');
		expect(applied.text).toMatch(/Added: .+ \((North Korea|the United States)\)/);
	});

	it('refuses bad input with a clear private answer', async () => {
		const unknown = await session.run('/balance us_gives:"free pizza" nk_gives:"nuclear test moratorium"');
		expect(unknown.text).toContain("I don't know “free pizza”");
		expect(unknown.text).toContain('Closest:');
		expect(unknown.outputs[0]?.message?.visibleTo).not.toBeNull();
		const wrongSide = await session.run('/balance nk_gives:"food aid"');
		expect(wrongSide.text).toContain('is something the United States gives. Put it in us_gives.');
		const nothing = await session.run('/balance');
		expect(nothing.text).toContain('Tell me what each side gives');
		const duplicated = await session.run('/balance us_gives:"food aid, food aid" nk_gives:"nuclear test moratorium"');
		expect(duplicated.text).toContain('Listed more than once, counted once: Food aid.');
		const empty = await session.run('/balance us_gives:"food aid"');
		expect(empty.ok).toBe(true);
		expect(empty.text).toContain('North Korea gives nothing');
	});

	it('autocompletes the item being typed, keeping what came before', async () => {
		const result = await session.run('complete /balance us_gives:"food aid, heavy"');
		const choices = result.outputs[0]?.choices ?? [];
		expect(choices[0]?.value).toMatch(/^food aid, Heavy fuel oil/);
		expect(choices.every((choice) => !String(choice.value).includes('Food aid'))).toBe(true);
	});

	it('a moderator’s weight override is used in the next check, says so, and can be reset', async () => {
		const before = await session.run('/balance deal:leapday');
		expect(before.text).toContain('Food aid — costs it 2');
		const set = await session.run('/weights set concession:"food aid" cost:9');
		expect(set.ok).toBe(true);
		expect(set.text).toContain('set this server’s weights for **Food aid**');
		const after = await session.run('/balance deal:leapday');
		expect(after.text).toContain('Food aid — costs it 9');
		expect(after.text).toContain("Using this server's weights, set by its moderators");
		const shown = await session.run('/weights show');
		expect(shown.text).toContain('**Food aid**: cost 9 (default 2)');
		await session.run('/weights reset');
		const reset = await session.run('/balance deal:leapday');
		expect(reset.text).toContain('Food aid — costs it 2');
		expect(reset.text).toContain("Using Parley's default weights");
	});

	it('refuses absurd weights with the allowed range, and members who are not moderators', async () => {
		const absurd = await session.run('/weights set concession:"food aid" value:42');
		expect(absurd.text).toContain('Weights must be whole numbers from 0 to 10');
		const member = await session.run('as alice /weights set concession:"food aid" cost:1');
		expect(member.text).toContain('Only moderators (members with the Manage Server permission)');
		const unchanged = await session.run('/weights show');
		expect(unchanged.text).toContain('default weights for every concession');
	});

	it('sent nothing Discord would reject', () => {
		expect(session.standIn.violations).toEqual([]);
	});
});
