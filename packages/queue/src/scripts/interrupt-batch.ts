import { FINISH_BATCH_LUA } from './finish-batch.js';
import { Script } from './script.js';

/**
 * Marks a batch whose submission will not go on `interrupted`: it is still open (never sealed) and
 * its lease is gone (the producer stopped renewing it), or held by the caller (a producer that stops
 * itself, e.g. on Ctrl-C). The batch is no longer open, so it finishes once what was enqueued has
 * run; it stays `interrupted` (a cancelled batch stays cancelled). The batch stays in the submitting
 * index until its unjobbed chunks are enqueued (interruption.ts).
 *
 * KEYS: batch, results, ids, lease, webhooks due. ARGV: token ('' for an observer), retention, now, cause (`lease`,
 * `signal`, `error` or `full`). Returns 1 when this call ended the submission, else 0.
 */
export const interruptBatchScript = new Script(
  'interrupt-batch',
  `${FINISH_BATCH_LUA}
local batch, lease, token = KEYS[1], KEYS[4], ARGV[1]
local holder = redis.call('GET', lease)
if holder then
  if holder ~= token then return 0 end
  redis.call('DEL', lease)
end
if redis.call('HEXISTS', batch, 'open') == 0 then return 0 end
redis.call('HDEL', batch, 'open')
if redis.call('HGET', batch, 'state') == 'running' then
  redis.call('HSET', batch, 'state', 'interrupted', 'interruptedAt', ARGV[3], 'interruptCause', ARGV[4])
end
finishIfDone(batch, KEYS[2], KEYS[3], tonumber(ARGV[2]), ARGV[3], KEYS[5])
return 1
`,
  // It frees memory (or marks a batch so it can end), so it must run on a full Redis too.
  { allowOom: true },
);
