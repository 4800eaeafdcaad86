import { BUCKETS_LUA } from './limiter-reserve.js';
import { Script } from './script.js';

/**
 * Settles a request after it ended: gives back what it reserved but did not use (or takes what it
 * used beyond), lowers a bucket to what the API says remains when that is less than we think
 * (another client on the same key, or our estimates were low), extends the cluster-wide pause after
 * a 429, and adds the request's usage to its batch's usage hash.
 *
 * KEYS: state, pause, usage. ARGV: windowMs, pauseMs, usageTtlSeconds (0 = no usage), ageMs of the
 * remaining counts, 3 limits (0 = none), 3 refunds, 3 remaining (-1 = unknown), transitMs, then usage
 * field/amount pairs.
 * Returns the pause left, in ms.
 */
export const settleScript = new Script(
  'limiter-settle',
  `${BUCKETS_LUA}
local state, pauseKey, usageKey = KEYS[1], KEYS[2], KEYS[3]
local window, pauseMs, usageTtl, age = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local limits = {tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])}
local transit = tonumber(ARGV[14])
local now = nowMs()
local levels = readLevels(state, limits, window, transit, now)
local any = false
for i = 1, 3 do
  if levels[i] then
    any = true
    local full = capacity(limits[i], window, transit)
    levels[i] = math.min(full, levels[i] + tonumber(ARGV[7 + i]))
    local remaining = tonumber(ARGV[10 + i])
    if remaining >= 0 then
      -- The count was true when the headers arrived; the API's bucket has refilled since.
      remaining = math.min(full, remaining + age * limits[i] / window)
      if remaining < levels[i] then levels[i] = remaining end
    end
  end
end
if any then writeLevels(state, levels, window, now) end
if pauseMs > 0 and redis.call('PTTL', pauseKey) < pauseMs then
  redis.call('SET', pauseKey, math.floor(now + pauseMs), 'PX', math.ceil(pauseMs))
end
if usageTtl > 0 then
  for j = 15, #ARGV, 2 do redis.call('HINCRBY', usageKey, ARGV[j], ARGV[j + 1]) end
  redis.call('EXPIRE', usageKey, usageTtl)
end
return math.max(0, redis.call('PTTL', pauseKey))
`,
);
