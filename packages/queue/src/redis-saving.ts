import type { Redis } from 'ioredis';
import type { RedisClient } from './connection.js';
import { masters } from './redis-checks.js';
import { fullMaster, isRedisFullError, nodeName, redisFullMessage, refusedWith } from './redis-memory.js';

/**
 * A node's last disk write failed (INFO, allowed where CONFIG is not): its last AOF write, after which
 * it refuses every write (MISCONF) until one succeeds; or its last RDB save, after which it does so
 * with save points and stop-writes-on-bgsave-error (the default). Usually a full or read-only disk.
 */
export type SaveFailure = 'aof' | 'rdb';

export async function failedSave(node: Redis): Promise<SaveFailure | undefined> {
  const info = await node.info('persistence');
  if (/^aof_last_write_status:err/m.test(info)) return 'aof';
  if (/^rdb_last_bgsave_status:err/m.test(info)) return 'rdb';
  return undefined;
}

/** The first master whose last disk write failed, if any. */
export async function unsavedMaster(client: RedisClient): Promise<{ node: string; failure: SaveFailure } | undefined> {
  for (const node of masters(client)) {
    const failure = await failedSave(node);
    if (failure) return { node: nodeName(node), failure };
  }
  return undefined;
}

/** "its last RDB save failed" and what Redis does then. */
export function describeSaveFailure(failure: SaveFailure): string {
  return failure === 'aof'
    ? 'its last AOF write failed: Redis refuses every write (MISCONF) until one succeeds'
    : 'its last RDB save failed: with save points and stop-writes-on-bgsave-error (the default) Redis refuses every write (MISCONF) until a save succeeds';
}

/** What to do about it. */
export const SAVE_FAILURE_FIX = "Redis's log says why (often a full or read-only disk): fix that, then BGSAVE; writes resume once a save succeeds";

/** Why Redis refuses writes now, when it does: at maxmemory, or unable to save to disk; for status and /readyz. */
export interface WriteRefusal {
  code: 'redis_full' | 'redis_cannot_save';
  message: string;
}

export async function redisRefusingWrites(client: RedisClient): Promise<WriteRefusal | undefined> {
  return (await redisWriteRefusals(client))[0];
}

/** Every reason Redis refuses writes now (full first), so /metrics tells a full Redis that also cannot save as both. */
export async function redisWriteRefusals(client: RedisClient): Promise<WriteRefusal[]> {
  const [full, unsaved] = await Promise.all([fullMaster(client), unsavedMaster(client)]);
  const refusals: WriteRefusal[] = [];
  if (full) refusals.push({ code: 'redis_full', message: redisFullMessage(full) });
  if (unsaved) refusals.push({ code: 'redis_cannot_save', message: cannotSaveMessage(unsaved, client.isCluster) });
  return refusals;
}

/** The words for a master whose last disk write failed (when known: else a reply said MISCONF), with what to do. */
export function cannotSaveMessage(unsaved?: { node: string; failure: SaveFailure }, ofCluster = false): string {
  if (!unsaved) return `Redis cannot save to disk, so it refuses writes (MISCONF) and batches stop; ${SAVE_FAILURE_FIX}`;
  const where = ofCluster ? `Redis node ${unsaved.node}` : 'Redis';
  return `${where} cannot save to disk: ${describeSaveFailure(unsaved.failure)}, so batches stop; ${SAVE_FAILURE_FIX}`;
}

/**
 * Why Redis refuses writes: `full`, at maxmemory with noeviction ("OOM command not allowed…"); or
 * `disk`, unable to persist ("MISCONF…": a failed RDB save with stop-writes-on-bgsave-error, or an AOF
 * write error), typically a full or read-only disk. Either way it refuses before a command's first
 * write, so the refused step can run again once Redis takes writes.
 */
export type Refusal = 'full' | 'disk';

export function writeRefusalOf(error: unknown): Refusal | undefined {
  if (isRedisFullError(error)) return 'full';
  return refusedWith(error, 'MISCONF ') ? 'disk' : undefined;
}
