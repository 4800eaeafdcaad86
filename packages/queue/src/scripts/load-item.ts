import { Script } from './script.js';

/**
 * Everything a stage reads before working, atomically (an item finalized halfway through the reads
 * would look broken) and in one command: the batch's state and cache flag, whether the item is
 * final, whether its record exists, and the requested record fields.
 *
 * KEYS: batch, results, item. ARGV: reqKey, field, field, …
 * Returns [state|false, cache|false, final 0/1, record 0/1, value|false, …].
 */
export const loadItemScript = new Script(
  'load-item',
  `
local batch = redis.call('HMGET', KEYS[1], 'state', 'cache')
local out = { batch[1], batch[2], redis.call('HEXISTS', KEYS[2], ARGV[1]), redis.call('EXISTS', KEYS[3]) }
if #ARGV > 1 then
  local values = redis.call('HMGET', KEYS[3], unpack(ARGV, 2))
  for i = 1, #values do out[4 + i] = values[i] end
end
return out
`,
);
