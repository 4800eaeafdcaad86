import { CLAIM_ENTRY_LUA } from '../cache-lock.js';
import { Script } from './script.js';

/**
 * Everything a stage reads before working, atomically (an item finalized halfway through the reads
 * would look broken) and in one command: the batch's state and cache flag, whether the item is
 * final, whether its record exists, and the requested record fields. With a claim (ARGV[2] > 0:
 * that many cache keys after the 3rd, CLAIM_ENTRY_LUA) it also claims the item's agent, or finds it
 * or its holder, when the item is under way (batch there and not cancelled, item not final, record
 * there) and its batch uses the cache: what the analyze stage did in a second command.
 *
 * KEYS: batch, results, item[, cache value, lock(, count, duplicates)]. ARGV: reqKey, cache keys
 * (0, 2 or 4)[, holder, lease ms, replace, count TTL], field, field, …
 * Returns [state|false, cache|false, final 0/1, record 0/1, claim reply|false, value|false, …].
 */
export const loadItemScript = new Script(
  'load-item',
  `${CLAIM_ENTRY_LUA}
local batch = redis.call('HMGET', KEYS[1], 'state', 'cache')
local final, record = redis.call('HEXISTS', KEYS[2], ARGV[1]), redis.call('EXISTS', KEYS[3])
local claimKeys, first = tonumber(ARGV[2]), 3
local claimed = false
if claimKeys > 0 then
  first = 7
  if batch[1] and batch[1] ~= 'cancelled' and batch[2] ~= '0' and final == 0 and record == 1 then
    claimed = claimEntry(4, claimKeys, ARGV[3], ARGV[4], ARGV[5], ARGV[6], '')
  end
end
local out = { batch[1], batch[2], final, record, claimed }
if #ARGV >= first then
  local values = redis.call('HMGET', KEYS[3], unpack(ARGV, first))
  for i = 1, #values do out[5 + i] = values[i] end
end
return out
`,
);
