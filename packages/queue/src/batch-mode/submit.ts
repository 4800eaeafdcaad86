import { classifyError } from '@agent-factory/llm';
import { fallback, memberInfos } from './apply.js';
import type { CollectorContext } from './context.js';
import { fallbackGroup, finishGroup } from './finish.js';
import { findOrphanBatch } from './recover.js';
import { buildRequests } from './requests.js';
import { markCreatingScript, markSubmittedScript } from './scripts.js';

/** Claimed Anthropic batch ids are remembered this long (past the API's 24 h processing limit). */
const CLAIMED_TTL_MS = 3 * 24 * 3600_000;

/** Records the Anthropic batch id and `submitted` in one step; returns the id the group keeps. */
async function recordSubmitted(c: CollectorContext, groupId: string, anthropicId: string): Promise<string> {
  return String(await markSubmittedScript.run(c.conn.redis, [c.keys.group(groupId), c.keys.claimed], [anthropicId, Date.now(), CLAIMED_TTL_MS]));
}

/**
 * Creates the group's Anthropic batch: requests built from the items, the group marked `creating`
 * (members not sent leave it), create, then the id recorded with `submitted`. Returns the batch id,
 * or undefined when the group ended here (nothing to send, or the API refused it for good).
 */
export async function submitGroup(c: CollectorContext, groupId: string): Promise<string | undefined> {
  const { redis } = c.conn;
  const members = await redis.hgetall(c.keys.groupMembers(groupId));
  const built = await buildRequests(c, members);
  const now = Date.now();
  const dropped = [...built.drop, ...built.realtime.map((r) => r.customId)];
  const requeued = built.requeue.flatMap((r) => [r.customId, r.memberId, now]);
  await markCreatingScript.run(redis, [c.keys.group(groupId), c.keys.groupMembers(groupId), c.keys.pending], [now, built.requests.length, dropped.length, ...dropped, ...requeued]);
  if (built.realtime.length > 0) {
    const infos = await memberInfos(c, built.realtime.map((r) => r.memberId));
    for (const r of built.realtime) await fallback(c, groupId, r.customId, r.memberId, infos.get(r.memberId)!, 'no request could be built');
  }
  if (built.requests.length === 0) {
    await finishGroup(c, groupId, 'done');
    return undefined;
  }
  let anthropicId: string;
  try {
    ({ id: anthropicId } = await c.client.messages.batches.create({ requests: built.requests }));
  } catch (caught) {
    const error = classifyError(caught);
    if (!error.permanent) throw error;
    await fallbackGroup(c, groupId, `Message Batch create refused: ${error.message}`);
    return undefined;
  }
  await c.hooks.afterCreate?.(groupId, anthropicId);
  const recorded = await recordSubmitted(c, groupId, anthropicId);
  c.logger.info({ group: groupId, anthropicBatch: recorded, requests: built.requests.length, requeued: built.requeue.length }, 'Message Batch created');
  return recorded;
}

/**
 * A group found `creating`: its create may have gone through before the process died. An orphan
 * that can only be ours is adopted; otherwise the group is created (again).
 */
export async function resumeCreating(c: CollectorContext, groupId: string, startedAt: number, sent: number): Promise<string | undefined> {
  const orphan = await findOrphanBatch(c, startedAt, sent);
  if (orphan === undefined) return submitGroup(c, groupId);
  c.logger.warn({ group: groupId, anthropicBatch: orphan }, 'adopted the Message Batch an interrupted create left behind');
  return recordSubmitted(c, groupId, orphan);
}
