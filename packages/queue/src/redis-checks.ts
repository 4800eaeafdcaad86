import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from './connection.js';
import type { Logger } from './logger.js';
import { isRedisUnavailable } from './redis-client.js';

/**
 * `redis-cli` aimed at this node (its host and port; --askpass when it needs a password, which is
 * never printed), so a fix a message quotes changes the Redis that needs it, not 127.0.0.1:6379.
 */
export function redisCli(node: Redis, command: string): string {
  const { host, port, password, tls } = node.options;
  return `redis-cli -h ${host ?? '127.0.0.1'} -p ${port ?? 6379}${tls ? ' --tls' : ''}${password ? ' --askpass' : ''} ${command}`;
}

/** The exact fix for a node that may evict BullMQ's keys. */
export const noevictionFix = (node: Redis): string => redisCli(node, 'config set maxmemory-policy noeviction');

/**
 * CONFIG GET as a map, or undefined when the server refuses CONFIG (managed Redis often renames it).
 * A node that does not answer at all is no refusal: that error is thrown, not read as "not allowed".
 */
export async function configGet(node: Redis, pattern: string): Promise<Record<string, string> | undefined> {
  try {
    const flat = (await node.call('CONFIG', 'GET', pattern)) as string[];
    const out: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
    return out;
  } catch (error) {
    if (isRedisUnavailable(error)) throw error;
    return undefined;
  }
}

const nodeAddress = (n: Redis): string => `${n.options.host ?? '?'}:${n.options.port ?? '?'}`;

/** Every master (one for a single Redis). */
export function masters(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

/**
 * Refuses a Redis that may evict keys (BullMQ would silently lose jobs) and warns when it keeps
 * nothing across a restart. Skips, with a warning, when CONFIG is not allowed.
 */
export async function checkRedis(client: RedisClient, logger: Logger, where: string): Promise<void> {
  const volatile: Redis[] = [];
  const refused: Redis[] = [];
  for (const node of masters(client)) {
    const policy = await configGet(node, 'maxmemory-policy');
    // One master refusing says nothing of the others: they are still checked.
    if (!policy) {
      refused.push(node);
      continue;
    }
    const value = policy['maxmemory-policy'];
    if (value !== undefined && value !== 'noeviction') {
      throw new Error(
        `Redis at ${where} has maxmemory-policy ${value}, which can evict queued jobs and results. ` +
          `Run \`${noevictionFix(node)}\` (and set "maxmemory-policy noeviction" in redis.conf so it survives a restart).`,
      );
    }
    const persistence = { ...(await configGet(node, 'appendonly')), ...(await configGet(node, 'save')) };
    if (persistence['appendonly'] === 'no' && (persistence['save'] ?? '').trim() === '') volatile.push(node);
  }
  if (refused.length > 0) {
    logger.warn({ redis: where, nodes: refused.map(nodeAddress) }, 'CONFIG is not allowed on this Redis: cannot check maxmemory-policy (it must be noeviction) or persistence');
  }
  if (volatile.length > 0) {
    const fixes = volatile.map((node) => redisCli(node, 'config set appendonly yes')).join('; ');
    logger.warn({ redis: where, nodes: volatile.map(nodeAddress) }, `Redis persistence is off (no AOF, no RDB saves): a Redis restart loses every queued requirement. Turn on AOF: ${fixes}`);
  }
}
