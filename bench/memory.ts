import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { deployCommands } from '../src/deploy.js';
import { BotProcess } from '../src/local/harness/bot-process.js';
import { DiscordStandIn } from '../src/local/standin/server.js';

/**
 * `npm run bench:memory [-- --guilds 10000]`: the stand-in sends the bot GUILD_CREATE for every server (each with
 * 12 channels and 8 roles besides @everyone), then the bot's resident memory is read after ready. Target: < 300 MB.
 */
const { values } = parseArgs({ options: { guilds: { type: 'string', default: '10000' } } });
const count = Number(values.guilds);
const CHANNELS = [
	'welcome',
	'rules',
	'announcements',
	'general',
	'debate',
	'news',
	'sources',
	'off-topic',
	'polls',
	'moderators',
	'bot-commands',
	'archive',
];
const ROLES = [
	'Debaters',
	'Analysts',
	'Newcomers',
	'Veterans',
	'Pressure camp',
	'Compromise camp',
	'Event host',
	'Muted',
];
const standIn = await DiscordStandIn.start({
	guilds: Array.from({ length: count }, (_, index) => ({
		name: `Community ${index}`,
		channels: CHANNELS,
		roles: ROLES,
	})),
});
const dir = mkdtempSync(join(tmpdir(), 'parley-memory-'));
await deployCommands(
	loadConfig({ DISCORD_TOKEN: standIn.token, DISCORD_API_BASE: standIn.apiBase, STORE_URL: 'sqlite://unused.sqlite' }),
);
const started = Date.now();
const bot = await BotProcess.start({
	standIn,
	storeUrl: `sqlite://${join(dir, 'memory.sqlite')}`,
	readyTimeoutMs: 600_000,
});
const readyMs = Date.now() - started;
const afterReady = bot.memory();
await new Promise((resolve) => setTimeout(resolve, 10_000));
const settled = bot.memory();
const helpWorks = (await standIn.settle(standIn.command(standIn.member('mod'), { name: 'help' }))).length > 0;
await bot.kill('SIGTERM');
await standIn.close();
rmSync(dir, { recursive: true, force: true });
const result = {
	measuredAt: new Date().toISOString(),
	guilds: count,
	channelsPerGuild: CHANNELS.length,
	rolesPerGuild: ROLES.length + 3,
	readySeconds: Math.round(readyMs / 100) / 10,
	rssAfterReadyMb: afterReady.rssMb,
	rssAfter10sMb: settled.rssMb,
	peakRssMb: settled.peakRssMb,
	helpAnsweredAfterwards: helpWorks,
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/memory.json', `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exit(0);
