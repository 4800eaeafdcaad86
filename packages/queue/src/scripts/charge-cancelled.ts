import { RECORD_METRICS_LUA } from './record-metrics.js';
import { Script } from './script.js';

/**
 * Adds what a cancelled item's drafts were billed to its result, records that spend and deletes the
 * cancelled-drafts entries those drafts came from, in one step; only while its result is still the
 * one the caller read (a compare-and-set: the same draft is never added twice, and a result another
 * step changed meanwhile is left alone).
 *
 * KEYS: results, cancelled drafts, recent, metrics inbox. ARGV: reqKey, the result read, the result
 * with its spend, F, the F cancelled-drafts fields, the metrics arguments (recentMax, record, batch
 * TTL). Returns 1 when this call charged it.
 */
export const chargeCancelledScript = new Script(
  'charge-cancelled',
  `${RECORD_METRICS_LUA}
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
local fields = tonumber(ARGV[4])
if fields > 0 then redis.call('HDEL', KEYS[2], unpack(ARGV, 5, 4 + fields)) end
recordMetrics(3, 5 + fields)
return 1
`,
);
