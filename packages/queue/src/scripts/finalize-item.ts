import { FINISH_BATCH_LUA } from './finish-batch.js';
import { RECORD_METRICS_LUA } from './record-metrics.js';
import { Script } from './script.js';

/**
 * Ends an item exactly once. Only when it has no result yet: stores its compact result, deletes
 * its record (the stage outputs), counts it in the batch and finishes the batch when it was the
 * last. Returns 1 when this call ended the item, 0 when it was already final, -1 when the batch is gone.
 *
 * With metrics (2 more keys and the arguments from the 6th on, see RECORD_METRICS_LUA) it records the
 * requirement in the same step, so a crash can neither lose nor double its count.
 *
 * KEYS: batch, results, ids, item, webhooks due[, recent, metrics inbox]. ARGV: reqKey, state
 * (completed|failed|cancelled), result, retention, now[, metrics arguments].
 */
export const finalizeItemScript = new Script(
  'finalize-item',
  `${FINISH_BATCH_LUA}${RECORD_METRICS_LUA}
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
finishIfDone(batch, results, ids, retention, now, KEYS[5])
if #KEYS == 7 then recordMetrics(6, 6) end
return 1
`,
);
