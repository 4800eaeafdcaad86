import { Script } from './script.js';

/**
 * Deletes a finished batch: its hash, ids list, results, metrics aggregate and LLM usage hashes (and a lease or
 * unjobbed entry, never left by a finished one), and its place in the batch index. A finished batch
 * has no item records left: ending an item deletes its record. Returns 1 when deleted, 0 when there is no such batch, -1
 * when it has not finished (items pending, or its submission still open): its results are not all in.
 *
 * KEYS: batch, ids, results, lease, unjobbed, metrics aggregate, index, limiter usage, batch-mode usage. ARGV: batchId.
 */
export const deleteBatchScript = new Script(
  'delete-batch',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HEXISTS', KEYS[1], 'finishedAt') == 0 then return -1 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[8], KEYS[9])
redis.call('ZREM', KEYS[7], ARGV[1])
return 1
`,
  // It frees memory (or marks a batch so it can end), so it must run on a full Redis too.
  { allowOom: true },
);
