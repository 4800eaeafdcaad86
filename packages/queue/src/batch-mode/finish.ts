import { fallback, memberInfos } from './apply.js';
import { GROUP_TTL_SECONDS, type CollectorContext } from './context.js';
import { finishGroupScript } from './scripts.js';

/** Ends a group (`done` or `failed`); its keys stay a day for inspection. */
export async function finishGroup(c: CollectorContext, groupId: string, state: 'done' | 'failed'): Promise<void> {
  const { keys } = c;
  await finishGroupScript.run(c.conn.redis, [keys.group(groupId), keys.groupMembers(groupId), keys.groupApplied(groupId), keys.forming], [state, Date.now(), GROUP_TTL_SECONDS, groupId]);
}

/** A group that cannot answer (permanent error, attempts spent): every member not yet answered goes realtime. */
export async function fallbackGroup(c: CollectorContext, groupId: string, reason: string): Promise<void> {
  const { redis } = c.conn;
  const [members, applied] = await Promise.all([redis.hgetall(c.keys.groupMembers(groupId)), redis.hgetall(c.keys.groupApplied(groupId))]);
  const open = Object.entries(members).filter(([customId]) => applied[customId] === undefined);
  const infos = await memberInfos(c, open.map(([, id]) => id));
  for (const [customId, id] of open) await fallback(c, groupId, customId, id, infos.get(id)!, reason);
  await finishGroup(c, groupId, 'failed');
  c.logger.warn({ group: groupId, realtime: open.length, reason }, 'Message Batch group failed: its requests go realtime');
}
