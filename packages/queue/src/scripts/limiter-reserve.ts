import { Script } from './script.js';

/**
 * Token buckets as the API keeps them (refilled continuously at the limit per window), read and
 * refilled to Redis TIME so every worker's clock agrees. Fields: `<name>` level, `<name>:at` ms of
 * that level; a missing bucket is full.
 *
 * Capacity is the limit less `transit` ms of refill. We take a request's cost when we reserve it, the
 * API when the request reaches it, up to a few hundred ms later (a busy worker: seconds). While the
 * API's bucket is full it gains nothing in that time, yet ours, already below full, refills: with the
 * same capacity a burst from idle leaves ours that much above the API's, and the request after the
 * burst meets a 429 (measured: 1–2 per burst at rpm 60). The refill rate, and so the steady rate, stays the limit.
 */
export const BUCKETS_LUA = `
local names = {'requests', 'input', 'output'}
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local function capacity(limit, window, transit)
  return limit * (1 - transit / window)
end
local function readLevels(state, limits, window, transit, now)
  local stored = redis.call('HMGET', state, 'requests', 'requests:at', 'input', 'input:at', 'output', 'output:at')
  local levels = {}
  for i = 1, 3 do
    local limit = limits[i]
    if limit > 0 then
      local full = capacity(limit, window, transit)
      local level = tonumber(stored[2 * i - 1]) or full
      local at = tonumber(stored[2 * i]) or now
      levels[i] = math.min(full, level + math.max(0, now - at) * limit / window)
    end
  end
  return levels
end
local function writeLevels(state, levels, window, now)
  for i = 1, 3 do
    if levels[i] then redis.call('HSET', state, names[i], levels[i], names[i] .. ':at', now) end
  end
  -- A bucket left alone refills completely within a window (plus the bounded debt): then it is the same as no key.
  redis.call('PEXPIRE', state, math.ceil(window * 2))
end
`;

/**
 * Reserves a request's cost from every bucket, or says how long until it could. Levels may go
 * below zero: that debt is the queue of callers already scheduled, so each caller gets its own
 * start time (the returned wait) instead of all polling for the same refill. Only waits up to
 * maxWaitMs are taken; a pause (after a 429) counts as a wait.
 *
 * KEYS: state, pause. ARGV: windowMs, maxWaitMs, 3 limits (0 = none), 3 amounts, transitMs.
 * Returns {1, waitMs, levels…} when reserved, {0, msUntilAWaitWouldFit, levels…} when not.
 */
export const reserveScript = new Script(
  'limiter-reserve',
  `${BUCKETS_LUA}
local state, pauseKey = KEYS[1], KEYS[2]
local window, maxWait = tonumber(ARGV[1]), tonumber(ARGV[2])
local limits = {tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])}
local amounts = {tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])}
local transit = tonumber(ARGV[9])
local now = nowMs()
local levels = readLevels(state, limits, window, transit, now)
local wait = math.max(0, redis.call('PTTL', pauseKey))
for i = 1, 3 do
  if levels[i] and amounts[i] > levels[i] then wait = math.max(wait, (amounts[i] - levels[i]) * window / limits[i]) end
end
local granted = 0
if wait <= maxWait then
  granted = 1
  for i = 1, 3 do
    if levels[i] then levels[i] = levels[i] - amounts[i] end
  end
  writeLevels(state, levels, window, now)
else
  wait = wait - maxWait
end
return {granted, math.ceil(wait), tostring(levels[1] or ''), tostring(levels[2] or ''), tostring(levels[3] or '')}
`,
);
