import { Script } from './script.js';

/**
 * Drops a batch from the submitting index once it is not open (or gone): checked in the same step,
 * so a resume that has just reopened it keeps its entry.
 *
 * KEYS: batch, submitting. ARGV: batchId. Returns 1 when dropped.
 */
export const dropSubmittingScript = new Script(
  'drop-submitting',
  `
if redis.call('HEXISTS', KEYS[1], 'open') == 1 then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`,
  // It frees memory (or marks a batch so it can end), so it must run on a full Redis too.
  { allowOom: true },
);
