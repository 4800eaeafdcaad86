import { COMMIT_VALUE_LUA } from '../cache-lock.js';
import { ITEM_FIELDS } from '../item-fields.js';
import { FINISH_BATCH_LUA } from './finish-batch.js';
import { RECORD_METRICS_LUA } from './record-metrics.js';
import { Script } from './script.js';
import { TAKE_WAITERS_LUA } from './take-waiters.js';

/**
 * Ends an item exactly once. Only when it has no result yet: stores its compact result, deletes
 * its record (the stage outputs), counts it in the batch and finishes the batch when it was the
 * last. Replies with a code, 1 when this call ended it, 0 when it was already final, -1 when the
 * batch is gone, and after it the ids of the jobs to wake (below).
 *
 * With a cache write (ARGV[6] > 0: that many cache keys after the 5th, COMMIT_VALUE_LUA, then the
 * claim's waiters set) it first stores the item's finished agent in the shared cache and drops its
 * claim, whether or not this call ends the item, as a separate write before it did: an identical
 * requirement waiting on the claim that sees the item ended finds the agent. The value is ARGV[7],
 * or the result when empty. It takes the jobs parked on the claim in the same step (TAKE_WAITERS_LUA),
 * for the caller to wake: one command fewer per stored agent than a take-waiters command of its own.
 * Without a cache write, an item it ends gives the caller the jobs parked on the claim the item held
 * (its record names their set, as for the cancel's own script): failed, cancelled (by whichever
 * ends it, the cancel or the worker whose job the cancel aborted) or with an agent not cached, its
 * waiters look again once the caller has dropped the claim, not at their next scheduled look.
 *
 * With metrics (2 more keys last and the arguments after the cache write's, see RECORD_METRICS_LUA)
 * it records the requirement in the same step, so a crash can neither lose nor double its count.
 *
 * KEYS: batch, results, ids, item, webhooks due[, cache value, lock(, stale, failing), waiters][,
 * recent, metrics inbox]. ARGV: reqKey, state (completed|failed|cancelled), result, retention, now,
 * cache keys (0, 2 or 4)[, value, ttl, holder, stale ttl][, metrics arguments].
 */
export const finalizeItemScript = new Script(
  'finalize-item',
  `${FINISH_BATCH_LUA}${RECORD_METRICS_LUA}${COMMIT_VALUE_LUA}${TAKE_WAITERS_LUA}
local batch, results, ids, item = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local reqKey, state, result, retention, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local cacheKeys, metricsKey, metricsArg = tonumber(ARGV[6]), 6, 7
local reply = { 0 }
if cacheKeys > 0 then
  local value = ARGV[7]
  if value == '' then value = result end
  commitValue(6, cacheKeys, value, ARGV[8], ARGV[9], ARGV[10])
  takeWaiters(KEYS[6 + cacheKeys], reply)
  metricsKey, metricsArg = 7 + cacheKeys, 11
end
if redis.call('HEXISTS', results, reqKey) == 1 then return reply end
if cacheKeys == 0 then
  local waiters = redis.call('HGET', item, '${ITEM_FIELDS.claimWaiters}')
  if waiters then takeWaiters(waiters, reply) end
end
if redis.call('EXISTS', batch) == 0 then
  redis.call('DEL', item)
  reply[1] = -1
  return reply
end
redis.call('HSET', results, reqKey, result)
redis.call('DEL', item)
redis.call('HINCRBY', batch, state, 1)
redis.call('HINCRBY', batch, 'pending', -1)
finishIfDone(batch, results, ids, retention, now, KEYS[5])
if #KEYS == metricsKey + 1 then recordMetrics(metricsKey, metricsArg) end
reply[1] = 1
return reply
`,
);
