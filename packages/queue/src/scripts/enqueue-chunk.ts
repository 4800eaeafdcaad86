import { Script } from './script.js';

/** The error reply of a write fenced by a lease the producer no longer holds (see submit-lease.ts). */
export const LEASE_LOST = 'LEASE_LOST';

/**
 * Writes one chunk of a submission atomically, and only while the producer still holds the batch's
 * lease: the new items' records, the chunk's `inputId\treqKey` entries on the ids list, the counters,
 * and the chunk's new items on the unjobbed hash until the producer has added their jobs. Atomic, so
 * a producer killed mid-chunk leaves the ids list and the counters agreeing (a resume trusts the
 * list) and every item either with its job or on the unjobbed hash; fenced, so a producer that lost
 * its lease (it stalled longer than the lease and the batch was interrupted, perhaps resumed by
 * another) cannot write into the batch again.
 *
 * KEYS: batch, ids, lease, unjobbed, then one item key per new item. ARGV: token, record field,
 * unjobbed entry (JSON), n (ids in the chunk), the n ids entries, then one requirement JSON per new
 * item. Returns the chunk's unjobbed field (its first input index), or -1 when it has no new item.
 * At most SUBMIT_CHUNK ids per call: unpack() of more than about 8,000 values fails in Lua.
 */
export const enqueueChunkScript = new Script(
  'enqueue-chunk',
  `
if redis.call('GET', KEYS[3]) ~= ARGV[1] then return redis.error_reply('${LEASE_LOST}') end
local field, n = ARGV[2], tonumber(ARGV[4])
local fresh = #KEYS - 4
for i = 1, fresh do redis.call('HSET', KEYS[4 + i], field, ARGV[4 + n + i]) end
if n > 0 then redis.call('RPUSH', KEYS[2], unpack(ARGV, 5, 4 + n)) end
local first = redis.call('HINCRBY', KEYS[1], 'inputs', n) - n
redis.call('HINCRBY', KEYS[1], 'total', fresh)
-- Counted before the jobs exist, so a fast worker can never see pending reach 0 early.
redis.call('HINCRBY', KEYS[1], 'pending', fresh)
if fresh == 0 then return -1 end
redis.call('HSET', KEYS[4], first, ARGV[3])
return first
`,
);
