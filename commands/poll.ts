import {
	type ButtonInteraction,
	type ChatInputCommandInteraction,
	DiscordAPIError,
	type GuildMember,
	type Interaction,
	MessageFlags,
	PermissionFlagsBits,
	SlashCommandBuilder,
} from 'discord.js';
import type { APIInteractionGuildMember } from 'discord-api-types/v10';
import { z } from 'zod';
import type { BotContext } from '../src/context.js';
import { PERMISSIONS_UNAVAILABLE } from '../src/discord/channel-access.js';
import type { Command } from '../src/discord/command.js';
import { clip, formatShortDate, neutraliseMentions, quoteUserText } from '../src/discord/format.js';
import { requireGuild, requireModerator } from '../src/discord/permissions.js';
import { replyWithin } from '../src/discord/reply.js';
import { renderDeal } from '../src/discord/views/deal.js';
import { renderBothCases, renderPollResults } from '../src/discord/views/poll.js';
import { findDeal, suggestDeals } from '../src/domain/deal-lookup.js';
import { NO_ACCESS, type PollAccess } from '../src/domain/permissions.js';
import {
	discordTimestamp,
	newPollId,
	POLL_STYLES,
	type PollRecord,
	planPoll,
	pollSummaryLine,
} from '../src/domain/poll.js';
import { UserFacingError } from '../src/errors.js';
import { OTHER_CHANNEL_TEXT } from '../src/polls/service.js';

const STALE = 'This button is from an older version of Parley. Run /poll results to see this poll.';
const VoteArgs = z.tuple([z.string().regex(/^[A-Za-z0-9]{1,20}$/), z.coerce.number().int().min(0).max(9)]);
const PollArgs = z.tuple([z.string().regex(/^[A-Za-z0-9]{1,20}$/)]);

/** What the bot needs to post and update a poll card in a channel. */
const CARD_PERMISSIONS = [
	['View Channel', PermissionFlagsBits.ViewChannel],
	['Send Messages', PermissionFlagsBits.SendMessages],
	['Embed Links', PermissionFlagsBits.EmbedLinks],
	['Attach Files', PermissionFlagsBits.AttachFiles],
] as const;

function roleIdsOf(member: GuildMember | APIInteractionGuildMember | null): string[] {
	if (!member) return [];
	return Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
}

function messageLink(poll: PollRecord): string {
	return poll.messageId
		? `https://discord.com/channels/${poll.guildId}/${poll.channelId}/${poll.messageId}`
		: '(card not posted)';
}

const NO_SUCH_POLL = 'There is no such poll in this server. Pick one from the list as you type, or see /poll list.';

/**
 * The poll, and what this member may do with it: decided by their permissions in the poll's own channel, never
 * in the channel the command was used in. A poll in a channel the member cannot see is answered exactly like one
 * that does not exist, so its existence is not given away either.
 */
async function pollFor(
	ctx: BotContext,
	interaction: Interaction,
	pollId: string,
): Promise<{ poll: PollRecord; access: PollAccess }> {
	const poll = await ctx.polls.getPoll(pollId);
	if (!poll || poll.guildId !== interaction.guildId) throw new UserFacingError(NO_SUCH_POLL);
	const access = (await ctx.access.forMember(interaction, [poll.channelId])).get(poll.channelId) ?? NO_ACCESS;
	if (!access.canSee) throw new UserFacingError(NO_SUCH_POLL);
	return { poll, access };
}

/** The poll behind a button on its card. A genuine card is always in its poll's channel; anything else is forged. */
async function pollOfButton(
	ctx: BotContext,
	interaction: ButtonInteraction,
	pollId: string,
): Promise<{ poll: PollRecord; access: PollAccess }> {
	const poll = await ctx.polls.getPoll(pollId);
	if (poll && poll.guildId === interaction.guildId && poll.channelId !== interaction.channelId)
		throw new UserFacingError(OTHER_CHANNEL_TEXT);
	return pollFor(ctx, interaction, pollId);
}

async function showResults(
	ctx: BotContext,
	interaction: ChatInputCommandInteraction | ButtonInteraction,
	poll: PollRecord,
	access: PollAccess,
): Promise<void> {
	// A hidden count and who voted what are for moderators of the poll's own channel.
	if (poll.hideResults && poll.status !== 'closed' && !access.isModerator) {
		throw new UserFacingError(
			`Results of this poll stay hidden until it closes ${discordTimestamp(poll.deadline, 'f')}.`,
		);
	}
	ctx.limits.results.take(interaction.user.id);
	// Anonymous polls never reveal voters, to anyone. Otherwise only moderators see who voted what.
	const { tally, voters } = await ctx.polls.results(poll, { withVoters: !poll.anonymous && access.isModerator });
	const deal = poll.dealId ? (ctx.library.dealById.get(poll.dealId) ?? null) : null;
	const message = renderPollResults(poll, {
		tally,
		now: ctx.clock.now(),
		deal,
		memberCount: await ctx.polls.memberCount(poll.guildId, { waitMs: 1_000 }),
		voters,
	});
	await interaction.reply({ ...message, flags: MessageFlags.Ephemeral });
}

async function start(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
	const guildId = requireGuild(interaction, 'Polls');
	requireModerator(interaction, 'start a poll', PermissionFlagsBits.ManageMessages, 'Manage Messages');
	const plan = planPoll({
		question: interaction.options.getString('question', true),
		style: interaction.options.getString('style'),
		choices: interaction.options.getString('choices'),
		duration: interaction.options.getString('duration'),
		now: ctx.clock.now(),
	});
	// The reason may quote the question, choices or duration as typed; its mentions must not work.
	if (!plan.ok) throw new UserFacingError(neutraliseMentions(plan.reason));
	let dealId: string | null = null;
	const dealQuery = interaction.options.getString('deal');
	if (dealQuery) {
		const found = findDeal(ctx.library.dealIndex, dealQuery);
		if (found.kind !== 'found')
			throw new UserFacingError(
				`No single deal matches “${quoteUserText(dealQuery, 40)}”. Pick one from the list as you type, e.g. leapday.`,
			);
		dealId = found.id;
	}
	const missing = CARD_PERMISSIONS.filter(([, flag]) => !interaction.appPermissions.has(flag)).map(([name]) => name);
	if (missing.length > 0) {
		throw new UserFacingError(
			`I can't post a poll in this channel: I need the ${missing.join(', ')} permission${missing.length === 1 ? '' : 's'} here. Ask a server admin to grant ${missing.length === 1 ? 'it' : 'them'}, or start the poll in another channel.`,
		);
	}
	await interaction.deferReply({ flags: MessageFlags.Ephemeral });
	let poll: PollRecord;
	try {
		poll = await ctx.polls.create({
			id: newPollId(interaction.id),
			guildId,
			channelId: interaction.channelId,
			starterId: interaction.user.id,
			question: plan.question,
			style: plan.style,
			choices: plan.choices,
			deadline: plan.deadline,
			anonymous: interaction.options.getBoolean('anonymous') ?? true,
			hideResults: interaction.options.getBoolean('hide_results') ?? false,
			voterRoleId: interaction.options.getRole('voter_role')?.id ?? null,
			dealId,
		});
	} catch (error) {
		if (error instanceof DiscordAPIError && (error.code === 50013 || error.code === 50001)) {
			const needed = CARD_PERMISSIONS.map(([name]) => name).join(', ');
			throw new UserFacingError(
				`Discord refused to let me post the poll here (missing permissions). I need ${needed} in this channel. Ask a server admin, or start the poll in another channel.`,
			);
		}
		throw error;
	}
	await interaction.editReply({
		content: `Poll started: ${messageLink(poll)}\nIt closes ${discordTimestamp(poll.deadline, 'f')}. Close it early with \`/poll close\`.`,
		allowedMentions: { parse: [] },
	});
}

async function close(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
	requireGuild(interaction, 'Polls');
	const { poll, access } = await pollFor(ctx, interaction, interaction.options.getString('poll', true));
	await interaction.deferReply({ flags: MessageFlags.Ephemeral });
	const outcome = await ctx.polls.close(poll.id, { userId: interaction.user.id, isModerator: access.isModerator });
	const question = quoteUserText(poll.question, 80);
	const text =
		outcome.kind === 'closed'
			? `Closed “${question}” with ${outcome.tally.total} vote${outcome.tally.total === 1 ? '' : 's'}. The final result is on the card: ${messageLink(poll)}`
			: outcome.kind === 'already-closed'
				? `That poll already closed ${discordTimestamp(outcome.poll.closedAt ?? outcome.poll.deadline, 'f')}.`
				: outcome.kind === 'not-closed'
					? `Parley couldn't close “${question}”: the store did not accept the change (it may be full or busy). It is still open and taking votes; try \`/poll close\` again in a minute.`
					: outcome.kind === 'closing'
						? `Votes on “${question}” are closed, but the store failed while the result was being saved. Parley will post the final result on the card by itself shortly: ${messageLink(poll)}`
						: outcome.kind === 'refused'
							? outcome.reason
							: 'There is no such poll in this server.';
	await interaction.editReply({ content: text, allowedMentions: { parse: [] } });
}

async function list(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
	const guildId = requireGuild(interaction, 'Polls');
	const all = await ctx.polls.openPollsOf(guildId);
	const access = await ctx.access.forMember(
		interaction,
		all.map(({ poll }) => poll.channelId),
	);
	// Only polls in channels this member can see; the others are not even counted.
	const open = all.filter(({ poll }) => access.get(poll.channelId)?.canSee === true);
	const now = ctx.clock.now();
	const lines = open.map(
		({ poll, total }) =>
			`• ${pollSummaryLine(poll, total, now)} · in <#${poll.channelId}> · [card](${messageLink(poll)}) · id \`${poll.id}\``,
	);
	await interaction.reply({
		content:
			lines.length > 0
				? clip(`Open polls in channels you can see:\n${lines.join('\n')}`, 2000)
				: 'No polls are open in the channels you can see. Moderators can start one with `/poll start`.',
		flags: MessageFlags.Ephemeral,
		allowedMentions: { parse: [] },
	});
}

export const poll = {
	data: new SlashCommandBuilder()
		.setName('poll')
		.setDescription('Moderated debate polls: pressure or compromise?')
		// Moderators by default (server admins can open it up); every action checks permissions again itself.
		.setDefaultMemberPermissions(PermissionFlagsBits.ManageMessages)
		.setDMPermission(false)
		.addSubcommand((sub) =>
			sub
				.setName('start')
				.setDescription('Start a poll in this channel')
				.addStringOption((option) =>
					option
						.setName('question')
						.setDescription('The question (up to 300 characters)')
						.setRequired(true)
						.setMaxLength(1000),
				)
				.addStringOption((option) =>
					option
						.setName('style')
						.setDescription('Choices: Pressure/Compromise/Undecided (default), a 5-step scale, yes/no, or custom')
						.addChoices(...POLL_STYLES.map((style) => ({ name: style, value: style }))),
				)
				.addStringOption((option) =>
					option
						.setName('choices')
						.setDescription('For style custom: 2–10 choices separated by ; (A; B; C)')
						.setMaxLength(1000),
				)
				.addStringOption((option) =>
					option
						.setName('duration')
						.setDescription('How long it stays open: 30m, 2h, 3d… (default 24h, up to 32 days)')
						.setMaxLength(50),
				)
				.addStringOption((option) =>
					option
						.setName('deal')
						.setDescription('Link a past deal for context, e.g. leapday')
						.setAutocomplete(true)
						.setMaxLength(100),
				)
				.addBooleanOption((option) =>
					option.setName('anonymous').setDescription('Hide who voted what from members and moderators (default: true)'),
				)
				.addBooleanOption((option) =>
					option
						.setName('hide_results')
						.setDescription(
							'Hide the count from members until the poll closes; moderators still see it (default: false)',
						),
				)
				.addRoleOption((option) => option.setName('voter_role').setDescription('Only members with this role may vote')),
		)
		.addSubcommand((sub) =>
			sub
				.setName('close')
				.setDescription('Close a poll now (its starter, or a moderator of its channel)')
				.addStringOption((option) =>
					option.setName('poll').setDescription('Which poll').setRequired(true).setAutocomplete(true),
				),
		)
		.addSubcommand((sub) =>
			sub
				.setName('results')
				.setDescription('See a poll’s results')
				.addStringOption((option) =>
					option.setName('poll').setDescription('Which poll').setRequired(true).setAutocomplete(true),
				),
		)
		.addSubcommand((sub) =>
			sub.setName('list').setDescription('Open polls in channels you can see, with deadlines and vote counts'),
		),
	help: {
		summary:
			'Debate polls with vote buttons and a deadline; members may change their vote until it closes, then everyone sees the final result and a chart.',
		examples: [
			'/poll start question:"Maximum pressure or compromise with Pyongyang?" duration:1h',
			'/poll start question:"How far should Washington go?" style:scale deal:hanoi',
			'/poll list',
		],
		audience: 'moderators start and close; everyone votes',
	},

	async execute(interaction, ctx) {
		switch (interaction.options.getSubcommand()) {
			case 'start':
				return start(interaction, ctx);
			case 'close':
				return close(interaction, ctx);
			case 'results': {
				requireGuild(interaction, 'Polls');
				const { poll, access } = await pollFor(ctx, interaction, interaction.options.getString('poll', true));
				return showResults(ctx, interaction, poll, access);
			}
			case 'list':
				return list(interaction, ctx);
			default:
				throw new UserFacingError('Unknown /poll subcommand. Try /help.');
		}
	},

	async autocomplete(interaction, ctx) {
		const focused = interaction.options.getFocused(true);
		if (focused.name === 'deal') {
			const choices = suggestDeals(ctx.library.dealIndex, focused.value).flatMap((suggestion) => {
				const deal = ctx.library.dealById.get(suggestion.id);
				return deal ? [{ name: clip(`${deal.name} — ${formatShortDate(deal.date.start)}`, 100), value: deal.id }] : [];
			});
			await interaction.respond(choices);
			return;
		}
		if (!interaction.guildId) {
			await interaction.respond([]);
			return;
		}
		const typed = focused.value.toLowerCase();
		const polls = await ctx.polls.recentPolls(interaction.guildId);
		const matching = polls.filter(
			(entry) => !typed || entry.question.toLowerCase().includes(typed) || entry.id.toLowerCase().startsWith(typed),
		);
		// Only polls in channels this member can see. Index entries written before they carried the channel read it
		// from the poll record.
		const located: { entry: (typeof polls)[number]; channelId: string }[] = [];
		for (const entry of matching) {
			const channelId = entry.channelId ?? (await ctx.polls.getPoll(entry.id))?.channelId;
			if (channelId) located.push({ entry, channelId });
		}
		let access: Map<string, PollAccess>;
		try {
			access = await ctx.access.forMember(
				interaction,
				located.map(({ channelId }) => channelId),
			);
		} catch (error) {
			if (!(error instanceof UserFacingError) || error.message !== PERMISSIONS_UNAVAILABLE) throw error;
			// Discord did not answer: offer what is certain, the polls of the channel the member is typing in.
			access = await ctx.access.forMember(interaction, [interaction.channelId ?? '']);
		}
		const matches = located.filter(({ channelId }) => access.get(channelId)?.canSee === true).map(({ entry }) => entry);
		await interaction.respond(
			matches.slice(0, 25).map((entry) => ({
				name: clip(`${entry.status === 'closed' ? '[closed] ' : ''}${entry.question}`, 100),
				value: entry.id,
			})),
		);
	},

	async button(interaction, id, ctx) {
		if (id.action === 'vote') {
			const args = VoteArgs.safeParse(id.args);
			if (!args.success) throw new UserFacingError(STALE);
			const [pollId, choice] = args.data;
			const outcome = ctx.polls.vote({
				pollId,
				guildId: interaction.guildId,
				channelId: interaction.channelId,
				userId: interaction.user.id,
				roleIds: roleIdsOf(interaction.member),
				choice,
			});
			// The receipt goes out only once the vote is stored; a slow store defers instead of missing 3 seconds.
			await replyWithin(
				interaction,
				outcome.then((result) => result.text),
			);
			return;
		}
		const args = PollArgs.safeParse(id.args);
		if (!args.success) throw new UserFacingError(STALE);
		const { poll, access } = await pollOfButton(ctx, interaction, args.data[0]);
		const deal = poll.dealId ? (ctx.library.dealById.get(poll.dealId) ?? null) : null;
		switch (id.action) {
			case 'results':
				return showResults(ctx, interaction, poll, access);
			case 'brief':
				if (!deal) throw new UserFacingError('This poll has no linked deal.');
				await interaction.reply({ ...renderDeal(deal, ctx.library.publishers), flags: MessageFlags.Ephemeral });
				return;
			case 'cases':
				await interaction.reply({ ...renderBothCases(deal, ctx.library), flags: MessageFlags.Ephemeral });
				return;
			default:
				throw new UserFacingError(STALE);
		}
	},
} satisfies Command;
