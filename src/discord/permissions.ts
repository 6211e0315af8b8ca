import { type ChatInputCommandInteraction, type Interaction, PermissionFlagsBits } from 'discord.js';
import { UserFacingError } from '../errors.js';

/**
 * Discord hides moderator commands from members through `default_member_permissions`, but server admins can
 * change that per command, so every moderator action checks again here.
 */
export function isModerator(interaction: Interaction, permission: bigint = PermissionFlagsBits.ManageGuild): boolean {
	return interaction.memberPermissions?.has(permission) ?? false;
}

export function requireGuild(interaction: ChatInputCommandInteraction | Interaction, what: string): string {
	if (!interaction.guildId) throw new UserFacingError(`${what} only works in a server, not in direct messages.`);
	return interaction.guildId;
}

export function requireModerator(
	interaction: Interaction,
	what: string,
	permission: bigint = PermissionFlagsBits.ManageGuild,
	permissionName = 'Manage Server',
): void {
	if (!isModerator(interaction, permission)) {
		throw new UserFacingError(`Only moderators (members with the ${permissionName} permission) can ${what}.`);
	}
}
