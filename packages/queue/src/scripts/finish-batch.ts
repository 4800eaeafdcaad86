/**
 * Lua shared by the scripts that can end a batch: when nothing is pending and submission is over,
 * the batch is finished (a running batch becomes completed; a cancelled one stays cancelled) and
 * its keys expire after the retention; a batch with a webhook counts this end (a resumed batch ends
 * again) and joins the webhook outbox `due` (keys.ts webhooksDueKey) in the same step. Expects the
 * batch, results and ids keys, `retention` and `now`.
 */
export const FINISH_BATCH_LUA = `
local function finishIfDone(batch, results, ids, retention, now, due)
  local pending = tonumber(redis.call('HGET', batch, 'pending') or '0')
  if pending > 0 or redis.call('HEXISTS', batch, 'open') == 1 then return 0 end
  if redis.call('HEXISTS', batch, 'finishedAt') == 1 then return 0 end
  if redis.call('HGET', batch, 'state') == 'running' then redis.call('HSET', batch, 'state', 'completed') end
  redis.call('HSET', batch, 'finishedAt', now)
  redis.call('EXPIRE', batch, retention)
  redis.call('EXPIRE', results, retention)
  redis.call('EXPIRE', ids, retention)
  if redis.call('HEXISTS', batch, 'webhook') == 1 then
    redis.call('HINCRBY', batch, 'webhookEnds', 1)
    redis.call('ZADD', due, 0, batch)
  end
  return 1
end
`;
