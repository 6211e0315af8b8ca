import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runCrashCampaign } from '../src/local/harness/crash-campaign.js';

/**
 * `npm run campaign:crash [-- --rounds 50 --voters 300]`: SIGKILLs the real bot in the middle of vote bursts and
 * restarts it on the same SQLite store, checking every kill from the store. Writes bench/results/crash-campaign.json.
 */
const { values } = parseArgs({
	options: {
		rounds: { type: 'string', default: '50' },
		voters: { type: 'string', default: '300' },
		seed: { type: 'string', default: '20261122' },
	},
});
const started = Date.now();
const result = await runCrashCampaign({
	rounds: Number(values.rounds),
	votersPerRound: Number(values.voters),
	seed: Number(values.seed),
	log: (line) => process.stdout.write(`${line}\n`),
});
const summary = {
	measuredAt: new Date().toISOString(),
	machine: `${process.platform} ${process.arch}, node ${process.version}`,
	seed: Number(values.seed),
	kills: result.kills,
	votersPerRound: Number(values.voters),
	votesReceipted: result.votesReceipted,
	votesCounted: result.rounds.reduce((sum, round) => sum + round.counted, 0),
	votesLost: result.votesLost,
	doubleCounted: result.doubleCounted,
	pollsNotClosedExactlyOnce: result.badCloses,
	medianRestartMs: result.medianRestartMs,
	wallSeconds: Math.round((Date.now() - started) / 1000),
};
mkdirSync('bench/results', { recursive: true });
writeFileSync(
	'bench/results/crash-campaign.json',
	`${JSON.stringify({ ...summary, rounds: result.rounds }, null, 2)}\n`,
);
process.stdout.write(`\n${JSON.stringify(summary, null, 2)}\n`);
process.exitCode = result.votesLost === 0 && result.doubleCounted === 0 && result.badCloses === 0 ? 0 : 1;
