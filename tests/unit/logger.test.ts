import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

describe('logger', () => {
	it('never writes the token, wherever it appears', () => {
		const token = 'MTQ0MDAwMDAwMDAwMDAwMDAw.secret-part.more-secret-part';
		const lines: string[] = [];
		const logger = createLogger({
			level: 'debug',
			secrets: [token],
			destination: { write: (line) => lines.push(line) },
		});
		logger.info({ token }, 'field named token');
		logger.info({ detail: `Authorization: Bot ${token}` }, 'token inside a value');
		logger.error({ err: new Error(`login failed for ${token}`) }, 'token inside an error');
		logger.warn(`token in the message ${token}`);
		expect(lines).toHaveLength(4);
		for (const line of lines) expect(line).not.toContain(token);
		expect(lines.join('')).toContain('[redacted]');
	});

	it('writes structured JSON lines with the level and message', () => {
		const lines: string[] = [];
		const logger = createLogger({ level: 'info', secrets: [], destination: { write: (line) => lines.push(line) } });
		logger.debug('hidden at info level');
		logger.info({ guildId: '1' }, 'visible');
		expect(lines).toHaveLength(1);
		expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 30, msg: 'visible', guildId: '1', name: 'parley' });
	});
});
