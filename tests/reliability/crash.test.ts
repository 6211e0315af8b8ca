import { describe, expect, it } from 'vitest';
import { runCrashCampaign } from '../../src/local/harness/crash-campaign.js';

/**
 * SIGKILL in the middle of vote bursts, then a restart on the same store. The full campaign (50+ kills) is
 * `npm run campaign:crash`; its figures are in docs/reliability.md. This runs a few kill points on every test run.
 */
describe('crash safety', () => {
	it('keeps every receipted vote, counts none twice and closes each poll once across SIGKILLs', async () => {
		const result = await runCrashCampaign({ rounds: 4, votersPerRound: 150, seed: 7 });
		expect(result.kills).toBe(4);
		expect(result.votesReceipted).toBeGreaterThan(0);
		for (const round of result.rounds) {
			expect(round.lost, `round ${round.round}`).toBe(0);
			expect(round.doubleCounted, `round ${round.round}`).toBe(0);
			expect(round.closes, `round ${round.round}`).toBe(1);
			expect(round.counted).toBeGreaterThanOrEqual(round.receipted);
			expect(round.counted).toBeLessThanOrEqual(round.clicked);
		}
	}, 120_000);
});
