import { Script } from './script.js';

/** The error reply of a write fenced by a lease the producer no longer holds (see submit-lease.ts). */
export const LEASE_LOST = 'LEASE_LOST';

/** A chunk script's reply: a chunk ahead of it is not written yet. */
export const CHUNK_EARLY = -1;
/** A chunk script's reply: the chunk was written by an earlier call (its reply was lost). */
export const CHUNK_WRITTEN_BEFORE = -2;

/**
 * Writes one chunk of a submission atomically, and only while the producer still holds the batch's
 * lease: the new items' records, the chunk's `inputId\treqKey` entries on the ids list, the counters,
 * and the new items' analyze jobs. Atomic, so a producer killed mid-chunk leaves the ids list and the
 * counters agreeing (a resume trusts the list) and no item without its job; fenced, so a producer
 * that lost its lease (it stalled longer than the lease and the batch was interrupted, perhaps
 * resumed by another) cannot write into the batch again.
 *
 * A job is added the way BullMQ 6.7's addPrioritizedJob adds a prioritized job with a custom id and
 * no parent, delay, deduplication or scheduler (as every analyze job is): the id counter, the job
 * hash (its options JSON as BullMQ stores them), an `added` event, the priority counter and the
 * prioritized set, the marker unless the queue is paused or at its concurrency, a `waiting` event;
 * a job that exists already is left as it is, with a `duplicated` event. A script cannot call
 * BullMQ's own, and one script per chunk instead of one per job was most of a submit's CPU, in the
 * producer and in Redis alike.
 *
 * Chunks are written in input order whatever order their scripts arrive in (a producer sends a chunk
 * before the one ahead of it has answered; an EVALSHA may fall back to EVAL; a chunk may be sent again
 * after its reply was lost): a chunk applies only when the batch's input count is where it starts,
 * so the ids list stays a prefix of the input (a resume trusts it). Returns CHUNK_EARLY when a chunk
 * ahead of it is not written yet (send it again once that one is), CHUNK_WRITTEN_BEFORE when it was
 * written already, else how many new items it added.
 *
 * KEYS: batch, ids, lease, then the analyze queue's meta, id, prioritized, active, events, pc and
 * marker, then one item key per new item. ARGV: token, record field, n (ids in the chunk, at least
 * 1), job key prefix, job name, timestamp (ms), the jobs' options (JSON, without jobId and priority),
 * the batch's input count before the chunk, the n ids entries, then per new item its requirement
 * JSON, job id, job data JSON and BullMQ priority.
 * At most SUBMIT_CHUNK ids per call: unpack() of more than about 8,000 values fails in Lua.
 */
export const enqueueChunkScript = new Script(
  'enqueue-chunk',
  `
if redis.call('GET', KEYS[3]) ~= ARGV[1] then return redis.error_reply('${LEASE_LOST}') end
local field, n, first = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[8])
local inputs = tonumber(redis.call('HGET', KEYS[1], 'inputs') or 0)
if inputs >= first + n then return ${CHUNK_WRITTEN_BEFORE} end
if inputs ~= first then return ${CHUNK_EARLY} end
local meta, events = KEYS[4], KEYS[8]
local fresh = #KEYS - 10
redis.call('RPUSH', KEYS[2], unpack(ARGV, 9, 8 + n))
redis.call('HINCRBY', KEYS[1], 'inputs', n)
redis.call('HINCRBY', KEYS[1], 'total', fresh)
-- Counted before the jobs exist, so a fast worker can never see pending reach 0 early.
redis.call('HINCRBY', KEYS[1], 'pending', fresh)
if fresh == 0 then return 0 end

local prefix, name, timestamp, opts = ARGV[4], ARGV[5], ARGV[6], cjson.decode(ARGV[7])
local maxEvents = redis.call('HGET', meta, 'opts.maxLenEvents')
if not maxEvents then
  maxEvents = 10000
  redis.call('HSET', meta, 'opts.maxLenEvents', maxEvents)
end
local state = redis.call('HMGET', meta, 'paused', 'concurrency')
local held = state[1] or (state[2] and redis.call('LLEN', KEYS[7]) >= tonumber(state[2]))
redis.call('INCRBY', KEYS[5], fresh)
for i = 1, fresh do
  local a = 5 + n + 4 * i
  redis.call('HSET', KEYS[10 + i], field, ARGV[a])
  local jobId, data, priority = ARGV[a + 1], ARGV[a + 2], tonumber(ARGV[a + 3])
  local job = prefix .. jobId
  if redis.call('EXISTS', job) == 1 then
    redis.call('XADD', events, 'MAXLEN', '~', maxEvents, '*', 'event', 'duplicated', 'jobId', jobId)
  else
    opts.jobId, opts.priority = jobId, priority
    redis.call('HMSET', job, 'name', name, 'data', data, 'opts', cjson.encode(opts), 'timestamp', timestamp, 'delay', 0, 'priority', priority)
    redis.call('XADD', events, '*', 'event', 'added', 'jobId', jobId, 'name', name)
    redis.call('ZADD', KEYS[6], priority * 0x100000000 + redis.call('INCR', KEYS[9]) % 0x100000000, jobId)
    if not held then redis.call('ZADD', KEYS[10], 0, '0') end
    redis.call('XADD', events, 'MAXLEN', '~', maxEvents, '*', 'event', 'waiting', 'jobId', jobId)
  end
end
return fresh
`,
);
