import { classifyError } from '@agent-factory/llm';
import { batchKeys } from '../keys.js';
import type { CollectorContext } from './context.js';
import { parseMemberId } from './keys.js';

/** Whether every factory batch with a request in the group was cancelled (or is gone): nobody wants its results. */
async function abandoned(c: CollectorContext, groupId: string): Promise<boolean> {
  const members = await c.conn.redis.hvals(c.keys.groupMembers(groupId));
  const batches = [...new Set(members.map((m) => parseMemberId(m).b))];
  if (batches.length === 0) return false;
  const states = await Promise.all(batches.map((b) => c.conn.redis.hget(batchKeys(c.conn.config.prefix, b).batch, 'state')));
  return states.every((state) => state === null || state === 'cancelled');
}

/**
 * Cancels the group's Anthropic Message Batch once every request in it belongs to a cancelled factory
 * batch: the requests not yet processed are then neither run nor billed. The batch still ends and its
 * results are applied as usual, so what was billed anyway is recorded. Asked once per group; a failure
 * to ask is logged and asked again at the next poll.
 */
export async function cancelIfAbandoned(c: CollectorContext, groupId: string, anthropicId: string, group: Readonly<Record<string, string>>): Promise<void> {
  if (group['cancelRequested'] !== undefined || !(await abandoned(c, groupId))) return;
  try {
    await c.client.messages.batches.cancel(anthropicId);
    await c.conn.redis.hset(c.keys.group(groupId), 'cancelRequested', String(Date.now()));
    c.logger.info({ group: groupId, anthropicBatch: anthropicId }, 'Message Batch cancelled: every request in it belongs to a cancelled batch');
  } catch (caught) {
    c.logger.warn({ group: groupId, anthropicBatch: anthropicId, err: classifyError(caught) }, 'could not cancel the Message Batch; trying again at the next poll');
  }
}
