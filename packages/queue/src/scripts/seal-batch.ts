import { LEASE_LOST } from './enqueue-chunk.js';
import { FINISH_BATCH_LUA } from './finish-batch.js';
import { Script } from './script.js';

/**
 * Ends a batch's submission: from now on the last finished item finishes the batch (before, a fast
 * worker could empty `pending` between two chunks). Finishes it at once when nothing is pending.
 * Only the producer holding the lease may seal (one that lost it may have been replaced by a
 * resume); the lease goes with the seal, and so does the unjobbed hash (empty after a whole submit;
 * after a failed one the producer has cancelled the batch, whose items then need no job).
 *
 * KEYS: batch, results, ids, lease, submitting, unjobbed, webhooks due. ARGV: retention, now, token, batchId.
 */
export const sealBatchScript = new Script(
  'seal-batch',
  `${FINISH_BATCH_LUA}
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('GET', KEYS[4]) ~= ARGV[3] then return redis.error_reply('${LEASE_LOST}') end
redis.call('DEL', KEYS[4], KEYS[6])
redis.call('ZREM', KEYS[5], ARGV[4])
redis.call('HDEL', KEYS[1], 'open')
return finishIfDone(KEYS[1], KEYS[2], KEYS[3], tonumber(ARGV[1]), ARGV[2], KEYS[7])
`,
);
