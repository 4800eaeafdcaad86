import { FINISH_BATCH_LUA } from './finish-batch.js';
import { Script } from './script.js';

/**
 * Ends a batch's submission: from now on the last finished item finishes the batch (before, a fast
 * worker could empty `pending` between two chunks). Finishes it at once when nothing is pending.
 *
 * KEYS: batch, results, ids. ARGV: retention, now.
 */
export const sealBatchScript = new Script(
  'seal-batch',
  `${FINISH_BATCH_LUA}
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
redis.call('HDEL', KEYS[1], 'open')
return finishIfDone(KEYS[1], KEYS[2], KEYS[3], tonumber(ARGV[1]), ARGV[2])
`,
);
