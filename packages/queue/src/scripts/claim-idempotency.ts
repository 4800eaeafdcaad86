import { Script } from './script.js';

/**
 * Claims an idempotency key for a batch about to be created: when the key is free, or still names
 * the batch the caller found gone (a stale key), in one step, so two requests that both found it so
 * cannot both take it.
 *
 * KEYS: the idempotency key. ARGV: the claim's value, its TTL in ms, the stale value ('' for none).
 * Returns 1 when claimed.
 */
export const claimIdempotencyScript = new Script(
  'claim-idempotency',
  `
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`,
);

/**
 * Gives a claim up (the batch could not be created) if it is still the caller's.
 *
 * KEYS: the idempotency key. ARGV: the claim's value. Returns 1 when released.
 */
export const releaseIdempotencyScript = new Script(
  'release-idempotency',
  `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`,
);
