import { Script } from './script.js';

/**
 * Adds a page of the metrics inbox to the aggregates and removes it, in one step, only if the inbox
 * still starts with the page's first entry: a page another process folded meanwhile is not added
 * twice (its entries are gone, and no entry repeats: each names its batch, requirement and time).
 * Returns 1 when folded, 0 when the inbox had moved on.
 *
 * KEYS: inbox, then the aggregate hashes. ARGV: page size, the page's first entry, then per hash
 * (in KEYS order): ttl seconds, field count, then field, increment, … A `max|` field (a histogram's
 * largest observation) is set to the larger of the two instead of incremented.
 */
export const foldMetricsScript = new Script(
  'fold-metrics',
  `
if redis.call('LINDEX', KEYS[1], 0) ~= ARGV[2] then return 0 end
local a = 3
for k = 2, #KEYS do
  local ttl, count = ARGV[a], tonumber(ARGV[a + 1])
  a = a + 2
  for i = 1, count do
    local field, n = ARGV[a], ARGV[a + 1]
    if string.sub(field, 1, 4) == 'max|' then
      local had = tonumber(redis.call('HGET', KEYS[k], field))
      if not had or tonumber(n) > had then redis.call('HSET', KEYS[k], field, n) end
    else
      redis.call('HINCRBY', KEYS[k], field, n)
    end
    a = a + 2
  end
  redis.call('EXPIRE', KEYS[k], ttl)
end
redis.call('LTRIM', KEYS[1], tonumber(ARGV[1]), -1)
return 1
`,
  // Every report folds first: on a full Redis the dashboard, /metrics and `report` must still answer
  // (a page of counters added takes about what its inbox entries gave back).
  { allowOom: true },
);
