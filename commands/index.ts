import type { Command } from '../src/discord/command.js';
import { balance } from './balance.js';
import { deal } from './deal.js';
import { deals } from './deals.js';
import { help } from './help.js';
import { poll } from './poll.js';
import { weights } from './weights.js';

/** Every slash command Parley serves, in the order /help lists them. `tests/unit/registry.test.ts` keeps it honest. */
export const commands: readonly Command[] = [deal, deals, balance, poll, weights, help];
