import { FINISH_BATCH_LUA } from './finish-batch.js';
import { RECORD_METRICS_LUA } from './record-metrics.js';
import { Script } from './script.js';
import { TAKE_WAITERS_LUA } from './take-waiters.js';

/**
 * Ends a page of a cancelled batch's items in one step: each item not yet final loses its queued
 * stage jobs and is ended as cancelled (its result stored, its record deleted, counted, its metrics
 * record written), exactly as finalize-item would, and the batch finishes when that was the last.
 * Items already final are skipped, so a page cancelled twice (a cancel run again after one that was
 * interrupted) changes nothing the second time.
 *
 * A job is removed the way BullMQ 6.7's removeJob does it for a job with no parent, children,
 * deduplication or scheduler (as every stage job is): out of whichever state holds it, its keys
 * deleted, a `removed` event. A script cannot call BullMQ's own, and one round trip per page instead
 * of one per job is the point. A locked job is running: it stays, the cancel message aborts it.
 *
 * The billed drafts an ended item held go to the cancelled-drafts hash (keys.ts) in the same step,
 * for chargeTakenDrafts to count on its result: the data of each queued job removed that carries a
 * draft (a validate waiting with one, a generate retry carrying the first), and the drafts kept in
 * its record (Message Batches mode). A job completed or failed passed its drafts on, and is not one.
 *
 * An item it ends may hold a claim on its agent that jobs of other batches are parked on: its record
 * then names their set (field ARGV[5], see claim-holder-alive), taken here (TAKE_WAITERS_LUA) for the
 * caller to wake, so that they take the claim over now rather than at their next look (up to 10 s).
 *
 * KEYS: batch, results, ids, webhooks due, recent, metrics inbox, cancelled drafts. ARGV: now,
 * retention, the cancelled result, the batch id, the record field naming a claim's waiters, J
 * (candidate jobs per item), the J queue key prefixes (`<prefix>:<stage>:`), then per item its
 * reqKey, item key, the metrics arguments (recentMax, record, batch TTL) and its J job ids. Returns
 * the ids of the parked jobs to wake.
 */
export const cancelItemsScript = new Script(
  'cancel-items',
  `${FINISH_BATCH_LUA}${RECORD_METRICS_LUA}${TAKE_WAITERS_LUA}
local batch, results, taken = KEYS[1], KEYS[2], KEYS[7]
local now, retention, result, waitersField, J = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[5], tonumber(ARGV[6])
local woken = {}
if redis.call('EXISTS', batch) == 0 then return woken end

-- Where a stage job may wait, most likely first (every stage job has a priority).
local SETS, LISTS = { 'prioritized', 'delayed', 'completed', 'failed', 'waiting-children' }, { 'wait', 'paused', 'active' }
local function fromState(q, id)
  for _, set in ipairs(SETS) do
    if redis.call('ZREM', q .. set, id) == 1 then return set end
  end
  for _, list in ipairs(LISTS) do
    if redis.call('LREM', q .. list, 1, id) == 1 then return list end
  end
  return 'unknown'
end

local function removeJob(q, id, owner)
  local job = q .. id
  if redis.call('EXISTS', job) == 0 or redis.call('EXISTS', job .. ':lock') == 1 then return end
  local data = redis.call('HGET', job, 'data')
  local prev = fromState(q, id)
  if data and prev ~= 'completed' and prev ~= 'failed' and string.find(data, '"draft1":', 1, true) then
    redis.call('HSET', taken, owner .. job, data)
  end
  redis.call('DEL', job, job .. ':logs', job .. ':dependencies', job .. ':processed', job .. ':failed', job .. ':unsuccessful')
  local maxEvents = redis.call('HGET', q .. 'meta', 'opts.maxLenEvents') or 10000
  redis.call('XADD', q .. 'events', 'MAXLEN', '~', maxEvents, '*', 'event', 'removed', 'jobId', id, 'prev', prev)
end

local ended = 0
local per = 5 + J
for base = 7 + J, #ARGV - 1, per do
  local reqKey = ARGV[base]
  if redis.call('HEXISTS', results, reqKey) == 0 then
    local owner = ARGV[4] .. '\t' .. reqKey .. '\t'
    for j = 1, J do removeJob(ARGV[6 + j], ARGV[base + 4 + j], owner) end
    local kept = redis.call('HMGET', ARGV[base + 1], 'draft1', 'draft2', waitersField)
    if kept[1] then redis.call('HSETNX', taken, owner .. 'draft1', kept[1]) end
    if kept[2] then redis.call('HSETNX', taken, owner .. 'draft2', kept[2]) end
    if kept[3] then takeWaiters(kept[3], woken) end
    redis.call('HSET', results, reqKey, result)
    redis.call('DEL', ARGV[base + 1])
    recordMetrics(5, base + 2)
    ended = ended + 1
  end
end
if ended > 0 then
  redis.call('HINCRBY', batch, 'cancelled', ended)
  redis.call('HINCRBY', batch, 'pending', -ended)
end
finishIfDone(batch, results, KEYS[3], retention, now, KEYS[4])
return woken
`,
  // It frees memory (or marks a batch so it can end), so it must run on a full Redis too.
  { allowOom: true },
);
