import { Script } from './script.js';

/**
 * Takes every member of a set and deletes it, in one step: two callers never both get a member.
 *
 * KEYS: the set. Returns its members.
 */
export const takeWaitersScript = new Script(
  'take-waiters',
  `
local ids = redis.call('SMEMBERS', KEYS[1])
redis.call('DEL', KEYS[1])
return ids
`,
);
