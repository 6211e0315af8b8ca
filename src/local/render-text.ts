import type { BotOutput } from './standin/server.js';
import type { MessageState } from './standin/state.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

const KIND_LABEL: Record<BotOutput['kind'], string> = {
	reply: 'reply',
	defer: 'thinking…',
	update: 'updated the message',
	'defer-update': 'acknowledged',
	'edit-original': 'reply',
	followup: 'follow-up',
	'channel-post': 'posted in channel',
	'channel-edit': 'edited a message',
	autocomplete: 'autocomplete',
	modal: 'opened a form',
	delete: 'deleted a message',
};

function indent(block: string, prefix = '  '): string {
	return block
		.split('\n')
		.map((line) => `${prefix}${line}`)
		.join('\n');
}

/** Discord timestamps `<t:1700000000:f>` shown as readable UTC text, the way a client would render them. */
export function renderTimestamps(value: string): string {
	return value.replace(/<t:(\d+)(?::([tTdDfFR]))?>/g, (_match, seconds: string, style: string | undefined) => {
		const date = new Date(Number(seconds) * 1000);
		const iso = date.toISOString().replace('T', ' ').slice(0, 16);
		return style === 'R' ? `${iso} UTC (relative)` : `${iso} UTC`;
	});
}

/** How a Discord client shows mentions: `<@id>` as @name, `<@&id>` as @role (allowed_mentions keeps them silent). */
export type MentionNamer = (kind: 'user' | 'role', id: string) => string;

function renderMentions(value: string, name: MentionNamer | undefined): string {
	if (!name) return value;
	return value.replace(/<@(&?)(\d+)>/g, (_match, role: string, id: string) => `@${name(role ? 'role' : 'user', id)}`);
}

export function renderMessage(message: MessageState, name?: MentionNamer): string {
	return renderMentions(renderMessageRaw(message), name);
}

function renderMessageRaw(message: MessageState): string {
	const lines: string[] = [];
	if (message.content) lines.push(renderTimestamps(message.content));
	for (const embed of message.embeds) {
		if (!isObject(embed)) continue;
		const box: string[] = [];
		if (isObject(embed.author) && text(embed.author.name)) box.push(text(embed.author.name));
		if (text(embed.title)) box.push(`**${text(embed.title)}**${text(embed.url) ? ` <${text(embed.url)}>` : ''}`);
		if (text(embed.description)) box.push(renderTimestamps(text(embed.description)));
		for (const field of Array.isArray(embed.fields) ? embed.fields : []) {
			if (!isObject(field)) continue;
			if (text(field.name).trim() !== '\u200b') box.push(`▸ ${text(field.name)}`);
			box.push(indent(renderTimestamps(text(field.value))));
		}
		if (isObject(embed.image) && text(embed.image.url))
			box.push(`[image: ${text(embed.image.url).replace(/^attachment:\/\//, '')}]`);
		// Discord shows an embed's timestamp after its footer, in the reader's time zone (UTC here).
		const stamp = Date.parse(text(embed.timestamp));
		const when = Number.isNaN(stamp) ? '' : `${new Date(stamp).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
		const footer = isObject(embed.footer) ? renderTimestamps(text(embed.footer.text)) : '';
		if (footer || when) box.push(`— ${[footer, when].filter(Boolean).join(' • ')}`);
		lines.push(indent(box.join('\n'), '│ '));
	}
	for (const row of message.components) {
		if (!isObject(row)) continue;
		const parts: string[] = [];
		for (const component of Array.isArray(row.components) ? row.components : []) {
			if (!isObject(component)) continue;
			if (component.type === 2) {
				const label = text(component.label) || (isObject(component.emoji) ? text(component.emoji.name) : '?');
				const link = component.style === 5 ? ` ↗ ${text(component.url)}` : '';
				parts.push(`[${label}${component.disabled ? ' (disabled)' : ''}]${link}`);
			} else if (component.type === 3) {
				const options = Array.isArray(component.options)
					? component.options.filter(isObject).map((option) => text(option.label))
					: [];
				parts.push(`<${text(component.placeholder) || 'select'}: ${options.join(' | ')}>`);
			}
		}
		if (parts.length > 0) lines.push(parts.join(' '));
	}
	for (const attachment of message.attachments) {
		lines.push(
			`📎 ${attachment.filename} (${Math.max(1, Math.round(attachment.size / 1024))} KB, ${attachment.contentType})`,
		);
	}
	return lines.join('\n') || '(empty message)';
}

/** One bot output as a console block: a header saying who sees it, then the message. */
export function renderOutput(output: BotOutput, userName: (userId: string) => string, name?: MentionNamer): string {
	if (output.kind === 'autocomplete') {
		const choices = output.choices ?? [];
		return `◂ autocomplete: ${choices.length} choice${choices.length === 1 ? '' : 's'}\n${indent(choices.map((choice) => `• ${choice.name}`).join('\n') || '(none)')}`;
	}
	if (output.kind === 'modal') return `◂ opened a form: ${text(output.modal?.title)}`;
	if (output.kind === 'defer-update' || output.kind === 'defer') return '';
	const message = output.message;
	if (!message) return `◂ ${KIND_LABEL[output.kind]}`;
	const who = message.visibleTo ? ` (only ${userName(message.visibleTo)} can see this)` : '';
	const edited = output.kind === 'channel-edit' || output.kind === 'update' ? ` #${message.id.slice(-4)}` : '';
	return `◂ ${KIND_LABEL[output.kind]}${edited}${who}\n${indent(renderMessage(message, name))}`;
}
