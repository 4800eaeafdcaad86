import { Script } from './script.js';

/**
 * Marks a running batch cancelled; returns its state afterwards (nil when there is no such batch).
 *
 * KEYS: batch. ARGV: now.
 */
export const markCancelledScript = new Script(
  'mark-cancelled',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
if redis.call('HGET', KEYS[1], 'state') == 'running' then
  redis.call('HSET', KEYS[1], 'state', 'cancelled', 'cancelledAt', ARGV[1])
end
return redis.call('HGET', KEYS[1], 'state')
`,
);
