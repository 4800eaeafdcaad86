import { Script } from './script.js';

/**
 * Renews a producer's lease on its batch when it still holds it, and moves the batch's deadline in
 * the submitting index (Redis time, so every machine's clock agrees). Returns 1 when renewed, 0 when
 * the lease is gone or another producer's.
 *
 * KEYS: lease, submitting. ARGV: token, ttlMs, batchId.
 */
export const renewLeaseScript = new Script(
  'renew-lease',
  `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local ttl = tonumber(ARGV[2])
redis.call('PEXPIRE', KEYS[1], ttl)
local t = redis.call('TIME')
redis.call('ZADD', KEYS[2], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + ttl, ARGV[3])
return 1
`,
);
