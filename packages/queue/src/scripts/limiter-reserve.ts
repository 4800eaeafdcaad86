import { Script } from './script.js';

/**
 * Token buckets as the API keeps them (capacity = the limit, refilled continuously at the limit per
 * window), read and refilled to Redis TIME so every worker's clock agrees. Fields: `<name>` level,
 * `<name>:at` ms of that level; a missing bucket is full.
 */
export const BUCKETS_LUA = `
local names = {'requests', 'input', 'output'}
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local function readLevels(state, limits, window, now)
  local stored = redis.call('HMGET', state, 'requests', 'requests:at', 'input', 'input:at', 'output', 'output:at')
  local levels = {}
  for i = 1, 3 do
    local limit = limits[i]
    if limit > 0 then
      local level = tonumber(stored[2 * i - 1]) or limit
      local at = tonumber(stored[2 * i]) or now
      levels[i] = math.min(limit, level + math.max(0, now - at) * limit / window)
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
 * KEYS: state, pause. ARGV: windowMs, maxWaitMs, 3 limits (0 = none), 3 amounts.
 * Returns {1, waitMs, levels…} when reserved, {0, msUntilAWaitWouldFit, levels…} when not.
 */
export const reserveScript = new Script(
  'limiter-reserve',
  `${BUCKETS_LUA}
local state, pauseKey = KEYS[1], KEYS[2]
local window, maxWait = tonumber(ARGV[1]), tonumber(ARGV[2])
local limits = {tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])}
local amounts = {tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])}
local now = nowMs()
local levels = readLevels(state, limits, window, now)
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
