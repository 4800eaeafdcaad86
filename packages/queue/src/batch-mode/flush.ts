import { randomBytes } from 'node:crypto';
import { addGroupJob, type CollectorContext } from './context.js';
import { takeGroupScript } from './scripts.js';

/** A group formed this long ago whose job never started is re-added (its former died in between). */
const ORPHAN_AFTER_MS = 10_000;

const newGroupId = (): string => `g${Date.now().toString(36)}${randomBytes(4).readUInt32BE(0).toString(36)}`;

/**
 * The flush job: moves waiting requests into groups of at most maxRequests (each its own job), as
 * long as a full group is waiting or the oldest request waited the window out. Returns groups formed.
 */
export async function runFlush(c: CollectorContext): Promise<number> {
  const { redis } = c.conn;
  const { keys, options } = c;
  for (const orphan of await redis.zrangebyscore(keys.forming, '-inf', Date.now() - ORPHAN_AFTER_MS)) await addGroupJob(c, orphan);
  let formed = 0;
  for (;;) {
    const groupId = newGroupId();
    const taken = Number(
      await takeGroupScript.run(redis, [keys.pending, keys.group(groupId), keys.groupMembers(groupId), keys.forming], [options.maxRequests, Date.now(), options.windowMs, groupId, '0']),
    );
    if (taken === 0) break;
    // A crash right here leaves the group in `forming`: the sweep above re-adds its job.
    await addGroupJob(c, groupId);
    formed++;
    c.logger.debug({ group: groupId, requests: taken }, 'Message Batch group formed');
    if (taken < options.maxRequests) break;
  }
  return formed;
}
