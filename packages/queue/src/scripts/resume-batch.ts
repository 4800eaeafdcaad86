import { Script } from './script.js';

/**
 * Takes over an interrupted batch for a resuming producer: it is running again, open, and leased to
 * the caller; a batch that had finished (everything enqueued had run) no longer expires, and its
 * webhook is pending again (its next end is posted too). An open batch whose lease is gone counts as
 * interrupted even before anyone noticed.
 *
 * KEYS: batch, results, ids, lease, submitting. ARGV: batchId, token, ttlMs.
 * Returns `resumed`, or why not: `gone`, `cancelled`, `completed`, `sealed` (all enqueued, still
 * running) or `leased` (a live producer is enqueuing it).
 */
export const resumeBatchScript = new Script(
  'resume-batch',
  `
local batch, lease = KEYS[1], KEYS[4]
if redis.call('EXISTS', batch) == 0 then return 'gone' end
local state = redis.call('HGET', batch, 'state')
if state == 'cancelled' or state == 'completed' then return state end
if redis.call('EXISTS', lease) == 1 then return 'leased' end
if state == 'running' and redis.call('HEXISTS', batch, 'open') == 0 then return 'sealed' end
redis.call('HSET', batch, 'state', 'running', 'open', 1)
redis.call('HDEL', batch, 'interruptedAt', 'interruptCause', 'finishedAt', 'webhookState', 'webhookAt', 'webhookError')
redis.call('HINCRBY', batch, 'resumes', 1)
for i = 1, 3 do redis.call('PERSIST', KEYS[i]) end
local ttl = tonumber(ARGV[3])
redis.call('SET', lease, ARGV[2], 'PX', ttl)
local t = redis.call('TIME')
redis.call('ZADD', KEYS[5], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + ttl, ARGV[1])
return 'resumed'
`,
);
