import type { Redis } from 'ioredis';
import type { RedisClient } from './connection.js';
import { formatBytes } from './format-bytes.js';
import { masters } from './redis-checks.js';
import { isRedisUnavailable } from './redis-client.js';

/** Used memory and maxmemory (0: none) of one Redis node. */
export interface NodeMemory {
  node: string;
  used: number;
  max: number;
}

/** What frees room in a Redis the factory filled, or makes more. */
export const REDIS_MEMORY_FIX =
  'raise maxmemory, or keep less: collect batches with `results --delete`, shorten AF_RETENTION_SECONDS or AF_AGENTS_TTL, `cache clear agents`';

/**
 * Whether Redis refused a command because it is at maxmemory with noeviction ("OOM command not
 * allowed…"). It refuses before a script's first write (a MULTI: before EXEC), so nothing of the refused step was written:
 * the same step can run again once there is room.
 */
export function isRedisFullError(error: unknown): boolean {
  return refusedWith(error, 'OOM ');
}

/**
 * Whether Redis answered with this error code, to the command itself or to one a MULTI queued (such a
 * MULTI fails whole, EXECABORT, and ioredis attaches the queued commands' errors).
 */
export function refusedWith(error: unknown, code: string): boolean {
  if (!(error instanceof Error)) return false;
  const queued = (error as { previousErrors?: unknown }).previousErrors;
  return error.message.startsWith(code) || (Array.isArray(queued) && queued.some((e) => refusedWith(e, code)));
}

function memoryOf(info: string): { used: number; max: number } {
  const field = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return { used: field('used_memory'), max: field('maxmemory') };
}

export const nodeName = (node: Redis): string => `${node.options.host ?? '?'}:${node.options.port ?? '?'}`;

/** Memory of each of these nodes. */
export function nodesMemory(nodes: readonly Redis[]): Promise<NodeMemory[]> {
  return Promise.all(nodes.map(async (n) => ({ node: nodeName(n), ...memoryOf(await n.info('memory')) })));
}

/** Memory of each master (one for a single Redis). */
export function redisMemory(client: RedisClient): Promise<NodeMemory[]> {
  return nodesMemory(masters(client));
}

/** The master with the least room under its maxmemory, when any has a maxmemory. */
export function fullest(nodes: readonly NodeMemory[]): NodeMemory | undefined {
  const limited = nodes.filter((n) => n.max > 0);
  return limited.sort((a, b) => b.used / b.max - a.used / a.max)[0];
}

/** "62.3 MB of maxmemory 45.0 MB" (with the node's address when it is one of a cluster's). */
export function describeMemory(node: NodeMemory, ofCluster = false): string {
  return `${ofCluster ? `${node.node} ` : ''}${formatBytes(node.used)} of maxmemory ${formatBytes(node.max)}`;
}

/** The words for a Redis that refuses writes, with what to do. */
export function redisFullMessage(node: NodeMemory | undefined): string {
  return `Redis is full${node ? ` (${describeMemory(node)})` : ''}: with noeviction it refuses every write, so batches stop until there is room; ${REDIS_MEMORY_FIX}`;
}

/**
 * Within this much of maxmemory Redis is full for the factory: it counts the writes on their way in
 * (a submit chunk's arguments, a few hundred KB) in used memory and refuses them at the limit, so a
 * Redis that refused a submit settles back a few hundred KB under it, still refusing the next chunk.
 */
export const FULL_MARGIN_BYTES = 2 ** 20;

/**
 * The master with the least room under its maxmemory; undefined when none has one, or when INFO is
 * not allowed (managed Redis may rename it): then nothing can be said, and nothing is. A Redis that
 * does not answer is no refusal: that error is thrown.
 */
export async function tightestMaster(client: RedisClient): Promise<NodeMemory | undefined> {
  try {
    return fullest(await redisMemory(client));
  } catch (error) {
    if (isRedisUnavailable(error)) throw error;
    return undefined;
  }
}

/** Bytes left under the node's maxmemory (0 when it is over). */
export const freeBytes = (node: NodeMemory): number => Math.max(0, node.max - node.used);

/** The master that is full (within FULL_MARGIN_BYTES of its maxmemory), if one is. INFO is a read, which a full Redis answers. */
export async function fullMaster(client: RedisClient): Promise<NodeMemory | undefined> {
  const node = await tightestMaster(client);
  return node && freeBytes(node) < FULL_MARGIN_BYTES ? node : undefined;
}
