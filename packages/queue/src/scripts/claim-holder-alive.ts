import { Script } from './script.js';

/**
 * Whether the item holding an agents claim can still deliver its agent, and if so keeps the claim for
 * at least ARGV[3] ms more, in one step: read one key at a time, an item moving from one stage's job
 * to the next could look jobless between two reads. The claim must still name the holder (ARGV[1]);
 * its batch must be there and not cancelled, the item (ARGV[2]) not ended, and some job of the item
 * not finished (waiting, prioritized, delayed or active: BullMQ sets `finishedOn` when it completes
 * or fails for good, and a stage adds the next job before its own ends) or, in batch mode, its
 * generation request registered (it waits for or sits in a Message Batch, with no job meanwhile).
 * While alive, the waiter's job (ARGV[5]) joins the claim's waiters, whom the claim's end wakes.
 *
 * KEYS: claim, waiters, batch, results, the item's job hashes (ARGV[4] of them), its batch-mode member keys.
 * ARGV: holder, reqKey, renewMs, job count, waiter job id. Returns 1 when alive (the claim renewed), else 0.
 */
export const claimHolderAliveScript = new Script(
  'claim-holder-alive',
  `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local state = redis.call('HGET', KEYS[3], 'state')
if not state or state == 'cancelled' or redis.call('HEXISTS', KEYS[4], ARGV[2]) == 1 then return 0 end
local lastJob = 4 + tonumber(ARGV[4])
for i = 5, #KEYS do
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
    return 1
  end
end
return 0
`,
);
