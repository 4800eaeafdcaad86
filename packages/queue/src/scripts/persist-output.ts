import { Script } from './script.js';

/**
 * Stores stage outputs in an item's record only while the record exists: a late duplicate job must
 * not bring back the record of an item that is already final (it would never expire).
 *
 * KEYS: item. ARGV: field, value, field, value, … Returns 1 when stored, 0 when the item is gone.
 */
export const persistOutputScript = new Script(
  'persist-output',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
`,
);
