import { RECORD_METRICS_LUA } from './record-metrics.js';
import { Script } from './script.js';

/**
 * Adds what a cancelled item's drafts were billed to its result, and records that spend, in one step;
 * only while its result is still the one the caller read (a compare-and-set: the same spend is never
 * added twice, and a result another step changed meanwhile is left alone).
 *
 * KEYS: results, recent, metrics inbox. ARGV: reqKey, the result read, the result with its spend, the
 * metrics arguments (recentMax, record, batch TTL). Returns 1 when this call charged it.
 */
export const chargeCancelledScript = new Script(
  'charge-cancelled',
  `${RECORD_METRICS_LUA}
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
recordMetrics(2, 4)
return 1
`,
);
