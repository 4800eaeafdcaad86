import { Script } from './script.js';

/**
 * Adds one finished requirement's counters to its minute, hour and batch aggregates and pushes its
 * record on the capped recent log, atomically (so a report never sees half a requirement).
 *
 * KEYS: minute, hour, batch, recent (all under the prefix's hash tag: one Cluster slot). ARGV: minuteTtl,
 * hourTtl, batchTtl (0: no batch aggregate), recentMax, record,
 * then field, increment, field, increment, …
 */
export const recordMetricsScript = new Script(
  'record-metrics',
  `
local hashes = { {KEYS[1], ARGV[1]}, {KEYS[2], ARGV[2]} }
if ARGV[3] ~= '0' then hashes[3] = {KEYS[3], ARGV[3]} end
for _, h in ipairs(hashes) do
  for i = 6, #ARGV, 2 do
    redis.call('HINCRBY', h[1], ARGV[i], ARGV[i + 1])
  end
  redis.call('EXPIRE', h[1], h[2])
end
redis.call('LPUSH', KEYS[4], ARGV[5])
redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[4]) - 1)
return 1
`,
);
