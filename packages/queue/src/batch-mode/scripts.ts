import { RECORD_METRICS_LUA } from '../scripts/record-metrics.js';
import { Script } from '../scripts/script.js';

/**
 * Registers a member once. KEYS: member, pending, seq. ARGV: memberId, info JSON, now, ttl.
 * Returns the registration count (> 0) when new, -1 when it is still waiting, 0 when a group has it.
 */
export const registerScript = new Script(
  'llmb-register',
  `
if redis.call('SET', KEYS[1], ARGV[2], 'NX', 'EX', ARGV[4]) then
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
  return redis.call('INCR', KEYS[3])
end
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return -1 end
return 0
`,
);

/**
 * Moves up to `max` waiting members into a new group, atomically: a member is in exactly one place.
 * Nothing moves while fewer than `max` wait and the oldest waited less than the window (unless forced).
 * KEYS: pending, group, groupMembers, forming. ARGV: max, now, windowMs, groupId, force.
 * Returns the members taken. A member id longer than a custom_id allows is sent as `h` + its SHA-1.
 */
export const takeGroupScript = new Script(
  'llmb-take-group',
  `
local n = redis.call('ZCARD', KEYS[1])
if n == 0 then return 0 end
local max = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
if n < max and ARGV[5] ~= '1' then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if now - tonumber(oldest[2]) < tonumber(ARGV[3]) then return 0 end
end
local members = redis.call('ZRANGE', KEYS[1], 0, max - 1)
for _, m in ipairs(members) do
  local cid = m
  if #m > 64 then cid = 'h' .. redis.sha1hex(m) end
  redis.call('HSET', KEYS[3], cid, m)
  redis.call('ZREM', KEYS[1], m)
end
redis.call('HSET', KEYS[2], 'state', 'forming', 'createdAt', ARGV[2], 'size', #members)
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[4])
return #members
`,
);

/**
 * Before create: the group is 'creating' (a retry then knows a batch may exist), with what is sent;
 * members not sent leave it (gone items) or go back to waiting (over the byte limit).
 * KEYS: group, groupMembers, pending. ARGV: now, sent, dropCount, cid…(drop), (cid, memberId, score)…(requeue).
 */
export const markCreatingScript = new Script(
  'llmb-mark-creating',
  `
redis.call('HSET', KEYS[1], 'state', 'creating', 'startedAt', ARGV[1], 'sent', ARGV[2])
local drop = tonumber(ARGV[3])
for i = 4, 3 + drop do redis.call('HDEL', KEYS[2], ARGV[i]) end
for i = 4 + drop, #ARGV, 3 do
  redis.call('HDEL', KEYS[2], ARGV[i])
  redis.call('ZADD', KEYS[3], ARGV[i + 2], ARGV[i + 1])
end
return 1
`,
);

/**
 * Records the Anthropic batch id and marks the group submitted in one step; a second call keeps the
 * first id. KEYS: group, claimed. ARGV: anthropicId, now, claimedTtlMs. Returns the recorded id.
 */
export const markSubmittedScript = new Script(
  'llmb-mark-submitted',
  `
local existing = redis.call('HGET', KEYS[1], 'anthropicId')
if existing then return existing end
redis.call('HSET', KEYS[1], 'state', 'submitted', 'anthropicId', ARGV[1], 'submittedAt', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[2]) - tonumber(ARGV[3]))
return ARGV[1]
`,
);

/**
 * A succeeded result, applied once: usage booked (spent whatever the item's state) and the draft
 * stored unless the item is final or already has one. When its batch was cancelled, the draft goes
 * to the cancelled-drafts hash instead (under its item and name), whose drain counts its bill on the
 * item's cancelled result and in the report, once (cancelled-spend.ts). When the item has ended
 * otherwise, the spend-only metrics record (2 more keys, arguments from the 11th on, see
 * RECORD_METRICS_LUA) is recorded in the same step, so the report counts what was billed.
 * KEYS: groupApplied, usage, batchUsage, item, batch, cancelled drafts[, recent, metrics inbox].
 * ARGV: cid, input, output, cacheCreation, cacheRead, costUsd, ttl, draftField, draftJson, its
 * cancelled-drafts field[, metrics arguments].
 * Returns 1 stored now, 2 applied before, 0 not stored (item final or drafted, or batch cancelled).
 */
export const applyDraftScript = new Script(
  'llmb-apply-draft',
  `${RECORD_METRICS_LUA}
if redis.call('HSETNX', KEYS[1], ARGV[1], 'succeeded') == 0 then return 2 end
for _, k in ipairs({KEYS[2], KEYS[3]}) do
  redis.call('HINCRBY', k, 'input', ARGV[2])
  redis.call('HINCRBY', k, 'output', ARGV[3])
  redis.call('HINCRBY', k, 'cacheCreation', ARGV[4])
  redis.call('HINCRBY', k, 'cacheRead', ARGV[5])
  redis.call('HINCRBYFLOAT', k, 'costUsd', ARGV[6])
  redis.call('HINCRBY', k, 'requests', 1)
end
redis.call('EXPIRE', KEYS[3], ARGV[7])
if redis.call('HGET', KEYS[5], 'state') == 'cancelled' then
  redis.call('HSETNX', KEYS[6], ARGV[10], ARGV[9])
  return 0
end
local ended = redis.call('EXISTS', KEYS[4]) == 0
if ended then
  if #KEYS == 8 then recordMetrics(7, 11) end
  return 0
end
if redis.call('HEXISTS', KEYS[4], ARGV[8]) == 1 then return 0 end
redis.call('HSET', KEYS[4], ARGV[8], ARGV[9])
return 1
`,
);

/**
 * A result that goes realtime (errored, expired, canceled, missing), counted once.
 * KEYS: groupApplied, usage, batchUsage. ARGV: cid, outcome, ttl. Returns 1 the first time, else 0.
 */
export const applyFallbackScript = new Script(
  'llmb-apply-fallback',
  `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[2], 'fallbacks', 1)
redis.call('HINCRBY', KEYS[3], 'fallbacks', 1)
redis.call('EXPIRE', KEYS[3], ARGV[3])
return 1
`,
);

/** Ends a group: its final state, kept a while for inspection. KEYS: group, groupMembers, groupApplied, forming. ARGV: state, now, ttl, groupId. */
export const finishGroupScript = new Script(
  'llmb-finish-group',
  `
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'finishedAt', ARGV[2])
redis.call('ZREM', KEYS[4], ARGV[4])
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[3]) end
return 1
`,
);
