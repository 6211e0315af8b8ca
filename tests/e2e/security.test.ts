import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	ActionRowBuilder,
	ButtonBuilder,
	ButtonStyle,
	MessageFlags,
	PermissionFlagsBits,
	SlashCommandBuilder,
} from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import type { Command } from '../../src/discord/command.js';
import { encodeCustomId } from '../../src/discord/custom-id.js';
import { TrySession } from '../../src/local/session.js';
import { checkAllowedMentions } from '../../src/local/standin/limits.js';
import type { InteractionRecord, RecordedRequest } from '../../src/local/standin/server.js';
import { findRole, type GuildState, type MessageState, type UserState } from '../../src/local/standin/state.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');

/** Every message body the bot sent or edited (interaction replies, follow-ups, edits, channel posts) in `traffic`. */
function sentMessages(traffic: readonly RecordedRequest[], from = 0): { path: string; body: Json }[] {
	return traffic.slice(from).flatMap((request) => {
		const body = request.body;
		if (!isObject(body)) return [];
		if (/^\/interactions\/\d+\/[^/]+\/callback$/.test(request.path)) {
			// 4 = reply, 7 = update the clicked message; defers (5, 6) and autocomplete (8) carry no message.
			const type = Number(body.type);
			return (type === 4 || type === 7) && isObject(body.data) ? [{ path: request.path, body: body.data }] : [];
		}
		const isMessageRoute = request.path.startsWith('/webhooks/') || /^\/channels\/\d+\/messages/.test(request.path);
		return isMessageRoute && (request.method === 'POST' || request.method === 'PATCH')
			? [{ path: request.path, body }]
			: [];
	});
}

const contentOf = (body: Json): string => (typeof body.content === 'string' ? body.content : '');

/** The poll card: the newest shared message whose embeds mention `text`. */
function card(session: TrySession, text: string): MessageState {
	const found = [...session.standIn.messages.values()]
		.filter((message) => message.visibleTo === null && JSON.stringify(message.embeds).includes(text))
		.at(-1);
	if (!found) throw new Error(`no poll card showing ${text}`);
	return found;
}

function customIdOf(message: MessageState, label: string): string {
	for (const row of message.components as { components: { label?: string; custom_id?: string }[] }[]) {
		const button = row.components.find((component) => component.label === label);
		if (button?.custom_id) return button.custom_id;
	}
	throw new Error(`no ${label} button`);
}

function pollIdOf(message: MessageState): string {
	const id = /Poll (\w+)/.exec(JSON.stringify(message.embeds))?.[1];
	if (!id) throw new Error('no poll id in the card footer');
	return id;
}

/** What the member who triggered `record` saw: the text and embeds of every message it produced. */
function seen(record: InteractionRecord): string {
	return record.outputs
		.map((output) => `${output.message?.content ?? ''} ${JSON.stringify(output.message?.embeds ?? [])}`)
		.join('\n');
}

/** Free-text options (strings without fixed choices) of every command, as "command subcommand option". */
function freeTextOptions(list: readonly Command[]): string[] {
	const keys: string[] = [];
	const visit = (prefix: string, options: readonly unknown[]) => {
		for (const option of options) {
			if (!isObject(option)) continue;
			if (option.type === 1)
				visit(`${prefix} ${String(option.name)}`, Array.isArray(option.options) ? option.options : []);
			else if (option.type === 3 && !(Array.isArray(option.choices) && option.choices.length > 0))
				keys.push(`${prefix} ${String(option.name)}`);
		}
	};
	for (const command of list) {
		const json = command.data.toJSON();
		visit(json.name, json.options ?? []);
	}
	return keys.sort();
}

describe('no message can ping anyone', () => {
	let session: TrySession;
	let payloads: string[];
	let mod: UserState;
	let member: UserState;
	const covered = new Set<string>();
	const records: { label: string; record: InteractionRecord }[] = [];

	const send = async (label: string, record: InteractionRecord): Promise<InteractionRecord> => {
		records.push({ label, record });
		await session.standIn.settle(record);
		return record;
	};
	const run = (
		key: string,
		user: UserState,
		name: string,
		options: Record<string, string>,
		subcommand?: string,
	): Promise<InteractionRecord> => {
		covered.add(key);
		return send(
			`${name} ${subcommand ?? ''} ${JSON.stringify(options)}`,
			session.standIn.command(user, { name, options, ...(subcommand ? { subcommand } : {}) }),
		);
	};

	beforeAll(async () => {
		session = await TrySession.start({ logLevel: 'warn' });
		const { standIn } = session;
		mod = standIn.member('mod');
		member = standIn.member('mallory');
		const victim = standIn.member('victim');
		const moderatorRole = findRole(standIn.defaultGuild, 'Moderator');
		if (!moderatorRole) throw new Error('the stand-in server has no Moderator role');
		payloads = ['@everyone', '@here', `<@&${moderatorRole.id}>`, `<@${victim.id}>`];
	});
	afterAll(async () => {
		await session.stop();
	});

	it('feeds @everyone, @here, a role and a member mention through every free-text option', async () => {
		for (const payload of payloads) {
			await run('deal name', member, 'deal', { name: payload });
			await run('deal name', member, 'deal', { name: `agreed ${payload}` });
			await run('balance us_gives', member, 'balance', { us_gives: payload });
			await run('balance us_gives', member, 'balance', { us_gives: `food aid, ${payload}` });
			await run('balance nk_gives', member, 'balance', { nk_gives: `${payload}; test moratorium` });
			await run('balance deal', member, 'balance', { deal: payload });
			await run('poll start question', mod, 'poll', { question: `${payload} pressure?`, duration: '1h' }, 'start');
			await run(
				'poll start choices',
				mod,
				'poll',
				{ question: `Custom ${payloads.indexOf(payload)}`, style: 'custom', choices: `${payload}; Other` },
				'start',
			);
			await run(
				'poll start choices',
				mod,
				'poll',
				{ question: 'Duplicates?', style: 'custom', choices: `${payload}; ${payload}` },
				'start',
			);
			await run('poll start duration', mod, 'poll', { question: 'When?', duration: payload }, 'start');
			await run('poll start duration', mod, 'poll', { question: 'When?', duration: `5 ${payload}` }, 'start');
			await run('poll start deal', mod, 'poll', { question: 'Which deal?', deal: payload }, 'start');
			await run('poll results poll', member, 'poll', { poll: payload }, 'results');
			await run('poll close poll', mod, 'poll', { poll: payload }, 'close');
			await run('weights set concession', mod, 'weights', { concession: payload, value: '5' }, 'set');
			await run('weights reset concession', mod, 'weights', { concession: payload }, 'reset');
		}
		expect([...covered].sort()).toEqual(freeTextOptions(commands));
		const unanswered = records.filter(({ record }) => !record.ack).map(({ label }) => label);
		expect(unanswered).toEqual([]);
	});

	it('echoes member text only with its mentions broken, in receipts, lists and closing replies too', async () => {
		const { standIn } = session;
		const voter = standIn.member('voter');
		for (const [index, payload] of payloads.entries()) {
			const custom = card(session, `Custom ${index}`);
			await send(`vote ${payload}`, standIn.click(voter, custom, customIdOf(custom, payload)));
		}
		await send('poll list', standIn.command(mod, { name: 'poll', subcommand: 'list' }));
		for (const payload of payloads) {
			const pollId = pollIdOf(card(session, `${payload} pressure?`));
			await send(
				'poll results',
				standIn.command(mod, { name: 'poll', subcommand: 'results', options: { poll: pollId } }),
			);
			await send('poll close', standIn.command(mod, { name: 'poll', subcommand: 'close', options: { poll: pollId } }));
		}
		const contents = sentMessages(standIn.traffic).map(({ body }) => contentOf(body));
		expect(contents.length).toBeGreaterThan(payloads.length * 16);
		for (const payload of payloads) {
			const raw = contents.filter((content) => content.includes(payload));
			expect(raw, `${payload} echoed unbroken`).toEqual([]);
		}
		// The neutralised echo is really there: the member sees what they typed, just unable to ping.
		expect(contents.some((content) => content.includes('@\u200beveryone'))).toBe(true);
	});

	it('answers autocomplete for every option that has it, with the same payloads', async () => {
		const { standIn } = session;
		const definitions = commands.map((command) => command.data.toJSON());
		let answered = 0;
		for (const definition of definitions) {
			const groups: { subcommand?: string; options: Json[] }[] = [];
			const top: Json[] = ((definition.options ?? []) as unknown[]).filter(isObject);
			const subcommands = top.filter((option) => option.type === 1);
			if (subcommands.length > 0)
				for (const sub of subcommands)
					groups.push({
						subcommand: String(sub.name),
						options: Array.isArray(sub.options) ? sub.options.filter(isObject) : [],
					});
			else groups.push({ options: top });
			for (const group of groups) {
				for (const option of group.options.filter((item) => item.autocomplete === true)) {
					for (const payload of payloads) {
						const record = await send(
							`complete ${definition.name} ${String(option.name)}`,
							standIn.autocomplete(
								mod,
								{
									name: definition.name,
									options: { [String(option.name)]: payload },
									...(group.subcommand ? { subcommand: group.subcommand } : {}),
								},
								String(option.name),
							),
						);
						expect(record.outputs.map((output) => output.kind)).toEqual(['autocomplete']);
						answered += 1;
					}
				}
			}
		}
		expect(answered).toBeGreaterThanOrEqual(payloads.length * 8);
	});

	it('refuses forged custom_ids and select values carrying mentions without echoing them', async () => {
		const { standIn } = session;
		const message = card(session, 'Custom 0');
		const start = standIn.traffic.length;
		for (const payload of payloads) {
			for (const customId of [
				payload,
				`poll:vote:${payload}:0`,
				`poll:results:${payload}`,
				`deal:show:${payload}`,
				`deal:view:${payload}:summary:0`,
				`balance:apply:${payload}`,
				`weights:set:${payload}`,
			]) {
				const record = await send(
					`forged ${customId}`,
					standIn.component(member, message, { custom_id: customId, component_type: 2 }),
				);
				expect(record.outputs[0]?.message?.visibleTo, customId).toBe(member.id);
			}
			const picked = await send('forged select', standIn.select(member, message, 'deal:pick', [payload]));
			expect(picked.outputs[0]?.message?.content).toContain('Parley no longer has that deal');
		}
		for (const { body } of sentMessages(standIn.traffic, start))
			for (const payload of payloads) expect(contentOf(body)).not.toContain(payload);
	});

	it('puts allowed_mentions with an empty parse list on every message it sent, embeds included', () => {
		const messages = sentMessages(session.standIn.traffic);
		const problems = messages
			.map(({ path, body }) => ({ path, problem: checkAllowedMentions(body) }))
			.filter(({ problem }) => problem !== undefined);
		expect(problems).toEqual([]);
		// A poll card whose title is "@everyone pressure?" still says parse: [] (embeds never ping, but be sure).
		const cards = messages.filter(
			({ path, body }) =>
				path.startsWith('/channels/') && JSON.stringify(body.embeds ?? []).includes('@everyone pressure?'),
		);
		expect(cards.length).toBeGreaterThanOrEqual(2);
		for (const { body } of cards) expect(body.allowed_mentions).toEqual({ parse: [] });
		expect(session.standIn.violations).toEqual([]);
		expect(session.errors).toEqual([]);
	});
});

/** A test-only command whose every handler fails with the bot token in the error, as a leaky library might. */
const leaky = {
	data: new SlashCommandBuilder()
		.setName('leaky')
		.setDescription('Test: fails with the token in its error')
		.addStringOption((option) =>
			option.setName('how').setDescription('How to fail').setRequired(true).setAutocomplete(true),
		),
	help: { summary: 'Test command.', examples: ['/leaky now'] },
	async execute(interaction, ctx) {
		const how = interaction.options.getString('how', true);
		if (how === 'button') {
			const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
				new ButtonBuilder().setCustomId(encodeCustomId('leaky', 'boom')).setLabel('Boom').setStyle(ButtonStyle.Danger),
			);
			await interaction.reply({ content: 'Press it', components: [row], allowedMentions: { parse: [] } });
			return;
		}
		if (how === 'deferred') await interaction.deferReply({ flags: MessageFlags.Ephemeral });
		throw Object.assign(new Error(`request failed: Authorization: Bot ${ctx.config.DISCORD_TOKEN}`), {
			headers: { authorization: `Bot ${ctx.config.DISCORD_TOKEN}` },
		});
	},
	async autocomplete(_interaction, ctx) {
		throw new Error(`autocomplete failed with ${ctx.config.DISCORD_TOKEN}`);
	},
	async button(_interaction, _id, ctx) {
		throw new Error(`button failed with token=${ctx.config.DISCORD_TOKEN}`);
	},
} satisfies Command;

describe('the token never leaves the bot', () => {
	let session: TrySession;
	let logFile: string;
	const logs = () => readFileSync(logFile, 'utf8');

	beforeAll(async () => {
		logFile = join(mkdtempSync(join(tmpdir(), 'parley-security-')), 'bot.log');
		session = await TrySession.start({ logLevel: 'trace', logFile, commands: [...commands, leaky] });
	});
	afterAll(async () => {
		await session.stop();
	});

	it('answers an unexpected error with a reference, and the log has the error but not the token', async () => {
		const { standIn } = session;
		const user = standIn.member('alice');
		const now = await standIn.settle(standIn.command(user, { name: 'leaky', options: { how: 'now' } }));
		const deferred = await standIn.settle(standIn.command(user, { name: 'leaky', options: { how: 'deferred' } }));
		await standIn.settle(standIn.command(user, { name: 'leaky', options: { how: 'button' } }));
		const message = [...standIn.messages.values()].filter((item) => item.content === 'Press it').at(-1);
		if (!message) throw new Error('no message with the Boom button');
		const clicked = await standIn.settle(standIn.click(user, message, 'leaky:boom'));
		const completed = await standIn.settle(standIn.autocomplete(user, { name: 'leaky', options: { how: 'x' } }, 'how'));
		for (const outputs of [now, deferred, clicked]) {
			const text = outputs.map((output) => output.message?.content ?? '').join('\n');
			expect(text).toMatch(/Sorry, something went wrong on our side\..*reference `E-\w+`/);
		}
		expect(completed.map((output) => output.choices)).toEqual([[]]);
		for (const command of ['help', 'deals']) await standIn.settle(standIn.command(user, { name: command }));

		const log = logs();
		expect(log.match(/"msg":"interaction failed"/g)).toHaveLength(3);
		expect(log).toContain('"msg":"autocomplete failed"');
		expect(log).toContain('[redacted]');
		expect(log).not.toContain(standIn.token);
		for (const request of standIn.traffic) expect(JSON.stringify(request.body ?? null)).not.toContain(standIn.token);
	});

	it('a wrong token stops npm start with a non-zero exit, and neither token appears in its output', async () => {
		const { standIn } = session;
		const wrong = `wrong-${standIn.token.split('').reverse().join('')}`;
		const dir = mkdtempSync(join(tmpdir(), 'parley-wrong-token-'));
		const bot = spawn(TSX, [join(process.cwd(), 'src/main.ts')], {
			cwd: dir,
			env: {
				PATH: process.env.PATH ?? '',
				HOME: process.env.HOME ?? '',
				DISCORD_TOKEN: wrong,
				DISCORD_API_BASE: standIn.apiBase,
				STORE_URL: `sqlite://${join(dir, 'p.sqlite')}`,
				LOG_LEVEL: 'trace',
			},
		});
		let output = '';
		bot.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		bot.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		const timer = setTimeout(() => bot.kill('SIGKILL'), 25_000);
		const code = await new Promise<number | null>((resolve) => bot.once('exit', resolve));
		clearTimeout(timer);
		expect(code).not.toBe(0);
		expect(code).not.toBeNull();
		expect(output).toContain('Discord rejected DISCORD_TOKEN');
		expect(output).not.toContain(wrong);
		expect(output).not.toContain(standIn.token);
		expect(standIn.traffic.some((request) => request.auth === 'wrong')).toBe(true);
	});
});

describe('moderator-only actions are enforced by Parley itself', () => {
	let session: TrySession;
	beforeAll(async () => {
		session = await TrySession.start({ logLevel: 'warn' });
	});
	afterAll(async () => {
		await session.stop();
	});

	it('asks Discord to hide /poll and /weights from members, but does not rely on it', () => {
		const registered = session.standIn.commandsFor(session.standIn.defaultGuild.id);
		const permissionsOf = (name: string) =>
			registered.find((command) => command.name === name)?.default_member_permissions;
		expect(permissionsOf('poll')).toBe(PermissionFlagsBits.ManageMessages.toString());
		expect(permissionsOf('weights')).toBe(PermissionFlagsBits.ManageGuild.toString());
	});

	it('refuses a plain member’s /poll start, /poll close, /weights set and /weights reset, changing nothing', async () => {
		const weightsShown = async () => (await session.run('/weights show')).text;
		expect((await session.run('/weights set concession:"food aid" value:6')).ok).toBe(true);
		expect((await session.run('/poll start question:"Moderated poll" style:yes-no')).ok).toBe(true);
		const pollId = pollIdOf(card(session, 'Moderated poll'));
		const before = { weights: await weightsShown(), messages: session.standIn.messages.size };
		expect(before.weights).toContain('Food aid');

		const attempts: [string, string][] = [
			[
				'as pat /poll start question:"Member poll" style:yes-no',
				'Only moderators (members with the Manage Messages permission) can start a poll.',
			],
			[`as pat /poll close poll:${pollId}`, 'Only the member who started this poll or a moderator can close it.'],
			[
				'as pat /weights set concession:"food aid" value:1',
				'Only moderators (members with the Manage Server permission) can change this server’s weights.',
			],
			[
				'as pat /weights reset',
				'Only moderators (members with the Manage Server permission) can change this server’s weights.',
			],
			[
				'as pat /weights reset concession:"food aid"',
				'Only moderators (members with the Manage Server permission) can change this server’s weights.',
			],
		];
		for (const [line, refusal] of attempts) {
			const result = await session.run(line);
			expect(result.text, line).toContain(refusal);
			expect(result.outputs.length, line).toBeGreaterThan(0);
			for (const output of result.outputs)
				expect(output.message?.visibleTo, line).toBe(session.standIn.member('pat').id);
			expect(
				result.outputs.filter((output) => output.kind === 'channel-post'),
				line,
			).toEqual([]);
		}
		expect(await weightsShown()).toBe(before.weights);
		// No poll card was posted and the moderator's poll is still open.
		expect(() => card(session, 'Member poll')).toThrow();
		expect((await session.run('/poll list')).text).toContain('Moderated poll');
		expect(JSON.stringify(card(session, 'Moderated poll').embeds)).not.toContain('Closed');
	});
});

describe('a custom_id naming another server’s poll is refused', () => {
	let session: TrySession;
	let other: GuildState;
	beforeAll(async () => {
		session = await TrySession.start({ logLevel: 'warn' });
		other = session.standIn.addGuild({ name: 'Rival Server' });
		await session.standIn.waitFor(() => session.running.client.guilds.cache.has(other.id));
		// In production the commands are global; the session registers them in its dev server only.
		const { standIn } = session;
		standIn.guildCommands.set(other.id, new Map(standIn.guildCommands.get(standIn.defaultGuild.id)));
	});
	afterAll(async () => {
		await session.stop();
	});

	const countsOf = async (pollId: string) => {
		const result = await session.run(`/poll results poll:${pollId}`);
		return [...result.text.matchAll(/\*\*([^*]+)\*\* — (\d+) \(/g)].map((match) => `${match[1]}=${match[2]}`);
	};

	it('refuses vote, results, briefing and both-cases buttons from another server, and the count does not move', async () => {
		const { standIn } = session;
		expect((await session.run('/poll start question:"Home poll" style:yes-no deal:leapday anonymous:false')).ok).toBe(
			true,
		);
		expect((await session.run('as alice click Yes')).ok).toBe(true);
		const home = card(session, 'Home poll');
		const pollId = pollIdOf(home);
		const before = await countsOf(pollId);
		expect(before).toEqual(['Yes=1', 'No=0']);

		const outsider = standIn.member('rivalmod', other, ['Moderator']);
		const channel = standIn.defaultChannel(other);
		const forgedMessage: MessageState = { ...home, id: '1', guildId: other.id, channelId: channel.id };
		for (const label of ['Yes', 'No', 'Results', 'Briefing', 'Both cases']) {
			const outputs = await standIn.settle(standIn.click(outsider, forgedMessage, customIdOf(home, label)));
			expect(outputs, label).toHaveLength(1);
			const reply = outputs[0]?.message;
			expect(reply?.visibleTo, label).toBe(outsider.id);
			expect(reply?.content, label).toMatch(
				/This button belongs to a poll in another server\.|There is no such poll in this server\./,
			);
			expect(JSON.stringify(reply?.embeds ?? []), label).not.toContain('Home poll');
		}
		for (const subcommand of ['results', 'close']) {
			const record = standIn.command(
				outsider,
				{ name: 'poll', subcommand, options: { poll: pollId } },
				{ guildId: other.id },
			);
			const outputs = await standIn.settle(record);
			expect(seen(record), subcommand).toContain('There is no such poll in this server.');
			expect(outputs.every((output) => output.message?.visibleTo === outsider.id)).toBe(true);
		}
		expect(await countsOf(pollId)).toEqual(before);
		expect(JSON.stringify(card(session, 'Home poll').embeds)).not.toContain('Closed');
		expect(standIn.violations).toEqual([]);
	});
});

describe('anonymous polls reveal no voter', () => {
	let session: TrySession;
	let logFile: string;
	beforeAll(async () => {
		logFile = join(mkdtempSync(join(tmpdir(), 'parley-anonymous-')), 'bot.log');
		session = await TrySession.start({ logLevel: 'trace', logFile });
	});
	afterAll(async () => {
		await session.stop();
	});

	it('no command, button, card, autocomplete or log line names a voter, even when a receipt fails to send', async () => {
		const { standIn } = session;
		const trafficStart = standIn.traffic.length;
		const logStart = readFileSync(logFile, 'utf8').length;
		expect((await session.run('/poll start question:"Secret ballot" deal:leapday duration:2h')).ok).toBe(true);
		const message = card(session, 'Secret ballot');
		const pollId = pollIdOf(message);
		const voters = ['anna', 'boris', 'chen', 'dmitri'].map((name) => standIn.member(`voter${name}`));
		const choices = ['Pressure', 'Compromise', 'Undecided'];
		for (const [index, voter] of voters.slice(0, 3).entries()) {
			const outputs = await standIn.settle(standIn.click(voter, message, customIdOf(message, choices[index] ?? '')));
			expect(outputs[0]?.message?.content).toContain('Recorded:');
		}
		await standIn.settle(standIn.click(voters[0] as UserState, message, customIdOf(message, 'Undecided')));
		// The last voter's receipt fails once: the failure is logged with who pressed, so it must not say what they chose.
		const last = voters[3] as UserState;
		const failing = standIn.click(last, message, customIdOf(message, 'Compromise'));
		standIn.faults.push({
			method: 'POST',
			path: new RegExp(`^/interactions/${failing.id}/`),
			status: 400,
			code: 50035,
			message: 'Invalid Form Body (injected)',
			times: 1,
		});
		await standIn.settle(failing);

		const views = [
			await session.run(`/poll results poll:${pollId}`),
			await session.run('click Results'),
			await session.run('/poll list'),
			await session.run('complete /poll results poll:secret'),
			await session.run('complete /poll close poll:s'),
			await session.run('as voteranna click Results'),
			await session.run(`/poll close poll:${pollId}`),
			await session.run(`/poll results poll:${pollId}`),
			await session.run('click Results'),
		];
		expect(views.map((view) => view.error ?? 'ok')).toEqual(views.map(() => 'ok'));
		expect(views[0]?.text).toContain('**Compromise** — 2 (50%)');
		expect(JSON.stringify(card(session, 'Secret ballot').embeds)).toContain('Closed: Secret ballot');

		const identities = voters.flatMap((voter) => [voter.id, voter.username, voter.globalName]);
		const sent = standIn.traffic.slice(trafficStart).map((request) => JSON.stringify(request.body ?? null));
		for (const identity of identities) {
			expect(
				sent.filter((body) => body.toLowerCase().includes(identity.toLowerCase())),
				identity,
			).toEqual([]);
		}

		const lines = readFileSync(logFile, 'utf8').slice(logStart).trim().split('\n');
		expect(lines.some((line) => line.includes('"level":10') || line.includes('"level":20'))).toBe(true);
		expect(lines.some((line) => line.includes('interaction failed') && line.includes(last.id))).toBe(true);
		// Nor the failed request's URL, which holds the interaction token (it lets anyone answer as the bot).
		expect(lines.filter((line) => line.includes(failing.token))).toEqual([]);
		for (const line of lines) {
			const named = voters.filter((voter) => line.includes(voter.id) || line.includes(voter.username));
			if (named.length === 0) continue;
			for (const choice of choices) expect(line, `a log line names a voter and "${choice}"`).not.toContain(choice);
			expect(line).not.toMatch(/poll:vote:\w+:\d/);
		}

		const stored = await session.running.ctx.polls.getPoll(pollId);
		expect(stored?.finalCounts).toEqual([0, 2, 2]);
		for (const voter of voters) expect(JSON.stringify(stored)).not.toContain(voter.id);
	});
});
