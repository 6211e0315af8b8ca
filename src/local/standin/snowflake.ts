/** Discord's epoch (2015-01-01T00:00:00.000Z): snowflakes carry milliseconds since then in their top 42 bits. */
const DISCORD_EPOCH = 1_420_070_400_000n;

/** Makes increasing 18–19-digit snowflakes whose timestamps are real, as discord.js reads them. */
export class SnowflakeGenerator {
	private increment = 0n;
	private last = 0n;

	next(at: number = Date.now()): string {
		let timestamp = BigInt(at) - DISCORD_EPOCH;
		if (timestamp <= this.last) timestamp = this.last;
		if (timestamp === this.last) this.increment += 1n;
		else this.increment = 0n;
		if (this.increment > 4095n) {
			timestamp += 1n;
			this.increment = 0n;
		}
		this.last = timestamp;
		return ((timestamp << 22n) | (1n << 17n) | this.increment).toString();
	}
}

/** Discord's shard routing: `(guild_id >> 22) % shard_count`. DMs go to shard 0. */
export function shardForGuild(guildId: string | null, shardCount: number): number {
	if (guildId === null) return 0;
	return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

export function snowflakeTimestamp(id: string): number {
	return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}
