/**
 * Lua: records one finished requirement: its record on the capped recent log, and the same record
 * (after its batch aggregate's TTL and a tab) on the metrics inbox, which fold-metrics.ts adds to the
 * minute, hour and batch aggregates later, a page of records at a time. `k` is the index of its first
 * key (recent, inbox: under the prefix's hash tag, one Cluster slot) and `a` of its first argument
 * (recentMax, record, batch TTL); the inbox entry is made here, so the record crosses the wire once.
 * The finalize script runs it in the same step as it ends the item, so a crash can neither lose nor
 * double a record; three commands here instead of ~150 increments.
 */
export const RECORD_METRICS_LUA = `
local function recordMetrics(k, a)
  redis.call('LPUSH', KEYS[k], ARGV[a + 1])
  redis.call('LTRIM', KEYS[k], 0, tonumber(ARGV[a]) - 1)
  redis.call('RPUSH', KEYS[k + 1], ARGV[a + 2] .. '\t' .. ARGV[a + 1])
end
`;
