/**
 * Discord's documented message limits, checked on every message the bot sends so tests catch what Discord would
 * reject. Returns human-readable problems; an empty list means the payload is acceptable.
 */
export const LIMITS = {
	content: 2000,
	embeds: 10,
	embedTitle: 256,
	embedDescription: 4096,
	embedFields: 25,
	fieldName: 256,
	fieldValue: 1024,
	footerText: 2048,
	authorName: 256,
	embedTotal: 6000,
	actionRows: 5,
	rowButtons: 5,
	customId: 100,
	buttonLabel: 80,
	selectOptions: 25,
	selectOptionText: 100,
	selectPlaceholder: 150,
	autocompleteChoices: 25,
	choiceName: 100,
	choiceValue: 100,
} as const;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export function checkMessageLimits(body: Json): string[] {
	const problems: string[] = [];
	const content = text(body.content);
	if (content.length > LIMITS.content) problems.push(`content is ${content.length} characters (max ${LIMITS.content})`);

	const embeds = list(body.embeds);
	if (embeds.length > LIMITS.embeds) problems.push(`${embeds.length} embeds (max ${LIMITS.embeds})`);
	let embedTotal = 0;
	embeds.forEach((embed, index) => {
		if (!isObject(embed)) return;
		const where = `embeds[${index}]`;
		const check = (value: string, max: number, label: string) => {
			embedTotal += value.length;
			if (value.length > max) problems.push(`${where}.${label} is ${value.length} characters (max ${max})`);
		};
		check(text(embed.title), LIMITS.embedTitle, 'title');
		check(text(embed.description), LIMITS.embedDescription, 'description');
		if (isObject(embed.footer)) check(text(embed.footer.text), LIMITS.footerText, 'footer.text');
		if (isObject(embed.author)) check(text(embed.author.name), LIMITS.authorName, 'author.name');
		const fields = list(embed.fields);
		if (fields.length > LIMITS.embedFields)
			problems.push(`${where} has ${fields.length} fields (max ${LIMITS.embedFields})`);
		fields.forEach((field, fieldIndex) => {
			if (!isObject(field)) return;
			const name = text(field.name);
			const value = text(field.value);
			if (name.length === 0 || value.length === 0)
				problems.push(`${where}.fields[${fieldIndex}] has an empty name or value`);
			check(name, LIMITS.fieldName, `fields[${fieldIndex}].name`);
			check(value, LIMITS.fieldValue, `fields[${fieldIndex}].value`);
		});
	});
	if (embedTotal > LIMITS.embedTotal) problems.push(`embeds total ${embedTotal} characters (max ${LIMITS.embedTotal})`);

	const rows = list(body.components);
	if (rows.length > LIMITS.actionRows) problems.push(`${rows.length} action rows (max ${LIMITS.actionRows})`);
	const customIds = new Set<string>();
	rows.forEach((row, rowIndex) => {
		if (!isObject(row) || row.type !== 1) {
			problems.push(`components[${rowIndex}] is not an action row`);
			return;
		}
		const children = list(row.components);
		if (children.length === 0) problems.push(`components[${rowIndex}] is an empty action row`);
		const hasSelect = children.some((child) => isObject(child) && child.type !== 2);
		if (hasSelect && children.length > 1)
			problems.push(`components[${rowIndex}]: a select menu must be alone in its row`);
		if (children.length > LIMITS.rowButtons)
			problems.push(`components[${rowIndex}] has ${children.length} buttons (max 5)`);
		children.forEach((child, childIndex) => {
			if (!isObject(child)) return;
			const where = `components[${rowIndex}][${childIndex}]`;
			const customId = text(child.custom_id);
			if (child.type === 2 && child.style === 5) {
				if (!text(child.url)) problems.push(`${where}: a link button needs a url`);
			} else if (customId.length === 0) {
				problems.push(`${where} has no custom_id`);
			}
			if (customId.length > LIMITS.customId)
				problems.push(`${where}.custom_id is ${customId.length} characters (max 100)`);
			if (customId) {
				if (customIds.has(customId)) problems.push(`${where}.custom_id ${customId} is used twice in one message`);
				customIds.add(customId);
			}
			if (child.type === 2) {
				const label = text(child.label);
				if (label.length > LIMITS.buttonLabel) problems.push(`${where}.label is ${label.length} characters (max 80)`);
				if (!label && !child.emoji) problems.push(`${where} has neither label nor emoji`);
			} else if (child.type === 3) {
				const options = list(child.options);
				if (options.length === 0 || options.length > LIMITS.selectOptions)
					problems.push(`${where} has ${options.length} options (1–25)`);
				if (text(child.placeholder).length > LIMITS.selectPlaceholder)
					problems.push(`${where}.placeholder is too long`);
				for (const option of options) {
					if (!isObject(option)) continue;
					if (
						text(option.label).length > LIMITS.selectOptionText ||
						text(option.value).length > LIMITS.selectOptionText
					) {
						problems.push(`${where} has an option label or value over 100 characters`);
					}
				}
			}
		});
	});
	return problems;
}

export function checkAutocompleteChoices(choices: unknown): string[] {
	const problems: string[] = [];
	const items = list(choices);
	if (items.length > LIMITS.autocompleteChoices) problems.push(`${items.length} autocomplete choices (max 25)`);
	items.forEach((choice, index) => {
		if (!isObject(choice)) return;
		const name = text(choice.name);
		if (name.length < 1 || name.length > LIMITS.choiceName)
			problems.push(`choices[${index}].name must be 1–100 characters`);
		if (typeof choice.value === 'string' && choice.value.length > LIMITS.choiceValue) {
			problems.push(`choices[${index}].value is over 100 characters`);
		}
	});
	return problems;
}

/** Every message the bot sends must say `allowed_mentions: { parse: [] }` so user text can never ping anyone. */
export function checkAllowedMentions(body: Json): string | undefined {
	const allowed = body.allowed_mentions;
	if (!isObject(allowed)) return 'allowed_mentions is missing';
	const parse = allowed.parse;
	if (!Array.isArray(parse) || parse.length > 0)
		return `allowed_mentions.parse is ${JSON.stringify(parse)} (must be [])`;
	if (list(allowed.roles).length > 0 || list(allowed.users).length > 0) return 'allowed_mentions lists roles or users';
	return undefined;
}
