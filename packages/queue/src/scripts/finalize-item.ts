import { FINISH_BATCH_LUA } from './finish-batch.js';
import { Script } from './script.js';

/**
 * Ends an item exactly once. Only when it has no result yet: stores its compact result, deletes
 * its record (the stage outputs), counts it in the batch and finishes the batch when it was the
 * last. Returns 1 when this call ended the item, 0 when it was already final, -1 when the batch is gone.
 *
 * KEYS: batch, results, ids, item. ARGV: reqKey, state (completed|failed|cancelled), result, retention, now.
 */
export const finalizeItemScript = new Script(
  'finalize-item',
  `${FINISH_BATCH_LUA}
local batch, results, ids, item = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local reqKey, state, result, retention, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
if redis.call('HEXISTS', results, reqKey) == 1 then return 0 end
if redis.call('EXISTS', batch) == 0 then
  redis.call('DEL', item)
  return -1
end
redis.call('HSET', results, reqKey, result)
redis.call('DEL', item)
redis.call('HINCRBY', batch, state, 1)
redis.call('HINCRBY', batch, 'pending', -1)
finishIfDone(batch, results, ids, retention, now)
return 1
`,
);
