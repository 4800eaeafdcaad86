import { Script } from './script.js';

/**
 * Whether the item holding an agents claim can still deliver its agent, and if so keeps the claim for
 * at least ARGV[3] ms more, in one step: read one key at a time, an item moving from one stage's job
 * to the next could look jobless between two reads. The claim must still name the holder (ARGV[1]);
 * its batch must be there and not cancelled, the item (ARGV[2]) not ended, and some job of the item
 * not finished (waiting, prioritized, delayed or active: BullMQ sets `finishedOn` when it completes
 * or fails for good, and a stage adds the next job before its own ends) or, in batch mode, its
 * generation request registered (it waits for or sits in a Message Batch, with no job meanwhile).
 * While alive, the waiter's job (ARGV[5]) joins the claim's waiters, whom the claim's end wakes, and
 * the holder's item record names the waiters set (field ARGV[6]): a cancel, which knows the item but
 * not its agent's cache key, finds there whom to wake.
 *
 * KEYS: claim, waiters, batch, results, the holder's item record, its job hashes (ARGV[4] of them),
 * its batch-mode member keys. ARGV: holder, reqKey, renewMs, job count, waiter job id, record field.
 * Returns 1 when alive (the claim renewed), else 0.
 */
export const claimHolderAliveScript = new Script(
  'claim-holder-alive',
  `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local state = redis.call('HGET', KEYS[3], 'state')
if not state or state == 'cancelled' or redis.call('HEXISTS', KEYS[4], ARGV[2]) == 1 then return 0 end
local lastJob = 5 + tonumber(ARGV[4])
for i = 6, #KEYS do
  local alive
  if i <= lastJob then
    alive = redis.call('EXISTS', KEYS[i]) == 1 and redis.call('HEXISTS', KEYS[i], 'finishedOn') == 0
  else
    alive = redis.call('EXISTS', KEYS[i]) == 1
  end
  if alive then
    if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
    redis.call('SADD', KEYS[2], ARGV[5])
    redis.call('PEXPIRE', KEYS[2], redis.call('PTTL', KEYS[1]))
    -- The record exists while the item is unfinished; never made here (it would outlive the item).
    if redis.call('EXISTS', KEYS[5]) == 1 then redis.call('HSET', KEYS[5], ARGV[6], KEYS[2]) end
    return 1
  end
end
return 0
`,
);
