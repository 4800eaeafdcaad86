/**
 * Lua: adds one finished requirement's counters to its minute, hour and batch aggregates and pushes
 * its record on the capped recent log. `k` is the index of its first key (minute, hour, batch,
 * recent: all under the prefix's hash tag, one Cluster slot) and `a` of its first argument
 * (minuteTtl, hourTtl, batchTtl (0: no batch aggregate), recentMax, record, then field, increment, …).
 * The finalize script runs it in the same step as it ends the item.
 */
export const RECORD_METRICS_LUA = `
local function recordMetrics(k, a)
  local hashes = { {KEYS[k], ARGV[a]}, {KEYS[k + 1], ARGV[a + 1]} }
  if ARGV[a + 2] ~= '0' then hashes[3] = {KEYS[k + 2], ARGV[a + 2]} end
  for _, h in ipairs(hashes) do
    for i = a + 5, #ARGV, 2 do
      redis.call('HINCRBY', h[1], ARGV[i], ARGV[i + 1])
    end
    redis.call('EXPIRE', h[1], h[2])
  end
  redis.call('LPUSH', KEYS[k + 3], ARGV[a + 4])
  redis.call('LTRIM', KEYS[k + 3], 0, tonumber(ARGV[a + 3]) - 1)
end
`;
