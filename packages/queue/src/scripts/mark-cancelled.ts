import { Script } from './script.js';

/**
 * Marks a running or interrupted batch cancelled; returns its state afterwards (nil when there is no
 * such batch). An open batch whose producer's lease is gone will never be sealed: it stops being
 * open, so it finishes once its items are cancelled.
 *
 * KEYS: batch, lease. ARGV: now.
 */
export const markCancelledScript = new Script(
  'mark-cancelled',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'running' or state == 'interrupted' then
  redis.call('HSET', KEYS[1], 'state', 'cancelled', 'cancelledAt', ARGV[1])
end
if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('HDEL', KEYS[1], 'open') end
return redis.call('HGET', KEYS[1], 'state')
`,
  // It frees memory (or marks a batch so it can end), so it must run on a full Redis too.
  { allowOom: true },
);
