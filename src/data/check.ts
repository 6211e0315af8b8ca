/**
 * Checks curated deal files one at a time, for curators: `npm run check:data -- data/deals/hanoi2019.json`.
 * Prints every schema and source-policy problem of each file (exit 1 if any), without needing the other files to be
 * valid, so a file can be reworked on its own. Then prints how the card words every commitment.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { commitmentsByStance, sharesText } from '../discord/views/stance.js';
import { Deal } from './deal-schema.js';
import { campVoiceProblems, dealSourceProblems, describeIssues } from './deals.js';
import { loadPublishers } from './publishers.js';

const publishers = loadPublishers();
const files = process.argv.slice(2);
let failed = false;
const loaded: { file: string; deal: Deal }[] = [];
for (const path of files) {
	const file = basename(path);
	const parsed = Deal.safeParse(JSON.parse(readFileSync(path, 'utf8')));
	const problems = parsed.success
		? dealSourceProblems(file, parsed.data, publishers)
		: describeIssues(file, parsed.error.issues);
	if (parsed.success) loaded.push({ file, deal: parsed.data });
	failed ||= problems.length > 0;
	process.stdout.write(problems.length === 0 ? `${file}: ok\n` : `${problems.join('\n')}\n`);
}
const voices = campVoiceProblems(loaded);
if (voices.length > 0) process.stdout.write(`${voices.join('\n')}\n`);
process.exitCode = failed || voices.length > 0 ? 1 : 0;

/** How the card words every commitment, so a curator reads each line as a member will. */
function printPreview(): void {
	for (const { file, deal } of loaded) {
		process.stdout.write(`\n── ${file}: commitments as the card words them\n`);
		for (const group of commitmentsByStance(deal)) {
			process.stdout.write(`${group.heading}:\n`);
			for (const item of group.items) {
				const shares = sharesText(item);
				process.stdout.write(`  • ${item.short}${shares ? ` (${shares})` : ''}\n`);
			}
		}
	}
}

printPreview();
