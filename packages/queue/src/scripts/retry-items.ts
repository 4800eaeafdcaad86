import { Script } from './script.js';

/**
 * Puts a finished batch's failed items back to work, all in one step (so none of them can finish the
 * batch before the others are pending), each only if its result is still the failed one the caller
 * read (two retries at once reset an item once): the result goes, the item's record comes
 * back with its requirement, the counters move from failed to pending, and the items wait on the
 * unjobbed hash until the caller has added their jobs (a caller that dies before leaves them for the
 * next retry, as requeue-unjobbed.ts does for a submit). The batch runs again: it no longer expires,
 * a completed one is running (an interrupted one stays interrupted: part of its input never came),
 * and its webhook is pending for its next end.
 *
 * KEYS: batch, results, ids, unjobbed, then one item key per item. ARGV: unjobbed field, then per item
 * its reqKey, its failed result as read, its requirement JSON. Returns the keys reset (JSON array),
 * or an error reply `gone`, `running` (not finished) or `cancelled`.
 */
export const retryItemsScript = new Script(
  'retry-items',
  `
local batch = KEYS[1]
if redis.call('EXISTS', batch) == 0 then return redis.error_reply('gone') end
if redis.call('HEXISTS', batch, 'finishedAt') == 0 then return redis.error_reply('running') end
if redis.call('HGET', batch, 'state') == 'cancelled' then return redis.error_reply('cancelled') end
local reset = {}
for i = 5, #KEYS do
  local a = 2 + (i - 5) * 3
  local key = ARGV[a]
  if redis.call('HGET', KEYS[2], key) == ARGV[a + 1] then
    redis.call('HDEL', KEYS[2], key)
    redis.call('HSET', KEYS[i], 'req', ARGV[a + 2])
    reset[#reset + 1] = key
  end
end
if #reset == 0 then return '[]' end
redis.call('HINCRBY', batch, 'failed', -#reset)
redis.call('HINCRBY', batch, 'pending', #reset)
if redis.call('HGET', batch, 'state') == 'completed' then redis.call('HSET', batch, 'state', 'running') end
redis.call('HDEL', batch, 'finishedAt', 'webhookState', 'webhookAt', 'webhookError')
for i = 1, 3 do redis.call('PERSIST', KEYS[i]) end
redis.call('HSET', KEYS[4], ARGV[1], cjson.encode({ b = 0, k = reset }))
return cjson.encode(reset)
`,
);
