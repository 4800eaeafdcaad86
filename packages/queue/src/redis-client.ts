import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisClient } from './connection.js';
import { batchWritesPerTick } from './socket-batching.js';

/**
 * What a client is for. BullMQ workers (and anything a worker process does while Redis restarts)
 * must wait out an outage: no per-request retry limit, commands queued offline. Producers fail fast
 * instead, so a user's `submit` reports a dead Redis rather than hanging.
 */
export type ClientRole = 'producer' | 'worker' | 'subscriber';

interface ParsedUrl {
  nodes: { host: string; port: number }[];
  options: RedisOptions;
}

function parseOne(part: string): URL {
  return new URL(part.includes('://') ? part : `redis://${part}`);
}

/** `redis://[user:pass@]host:port[/db]`, or several `host:port` separated by commas (Redis Cluster seeds). */
export function parseRedisUrl(redisUrl: string): ParsedUrl {
  const parts = redisUrl.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw new Error('REDIS_URL is empty');
  const urls = parts.map(parseOne);
  const first = urls[0]!;
  const db = Number(first.pathname.slice(1) || 0);
  const options: RedisOptions = {
    ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
    ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
    ...(first.protocol === 'rediss:' ? { tls: {} } : {}),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
  };
  return { nodes: urls.map((u) => ({ host: u.hostname, port: Number(u.port || 6379) })), options };
}

/** The URL without its password, for messages and logs. */
export function displayRedisUrl(redisUrl: string): string {
  return redisUrl.replace(/\/\/([^:@/]*):[^@/]*@/g, '//$1:***@');
}

function roleOptions(role: ClientRole): RedisOptions {
  return role === 'producer' ? { maxRetriesPerRequest: 3, enableOfflineQueue: false } : { maxRetriesPerRequest: null, enableOfflineQueue: true };
}

/** Opens a client (a Cluster when the URL lists several nodes) and waits until it is ready. */
export async function openRedis(redisUrl: string, role: ClientRole, name?: string): Promise<RedisClient> {
  const { nodes, options } = parseRedisUrl(redisUrl);
  const redisOptions: RedisOptions = { ...options, ...roleOptions(role), lazyConnect: true, ...(name ? { connectionName: name } : {}) };
  const client: RedisClient =
    nodes.length > 1
      ? new Cluster(nodes, { redisOptions, enableOfflineQueue: redisOptions.enableOfflineQueue, lazyConnect: true })
      : new Redis({ ...redisOptions, host: nodes[0]!.host, port: nodes[0]!.port });
  // Errors surface through commands; without a listener ioredis would print each reconnect failure.
  let firstError: Error | undefined;
  client.on('error', (error: Error) => (firstError ??= error));
  batchWritesPerTick(client);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new Error(`cannot reach Redis at ${displayRedisUrl(redisUrl)}: ${(firstError ?? (error as Error)).message}`);
  }
  return client;
}

/**
 * Whether a command failed because Redis is unreachable (down, restarting, a failover) rather than
 * because of the command: a producer client (no offline queue, three retries) throws these at once.
 * On a Cluster, a master that is down shows as CLUSTERDOWN, TRYAGAIN, or redirections that run out
 * (MOVED to the dead node, over and over).
 */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    error.name === 'ClusterAllFailedError' ||
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|Connection is closed|Stream isn't writeable|enableOfflineQueue|LOADING|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|Too many Cluster redirections|Failed to refresh slots cache|None of startup nodes is available/.test(error.message)
  );
}

/** QUIT, or a hard disconnect when Redis does not answer in time (it may be down while we shut down). */
export async function quitClient(client: RedisClient, timeoutMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const outcome = await Promise.race([client.quit().catch(() => 'failed' as const), timeout]);
  clearTimeout(timer);
  if (outcome !== 'OK') client.disconnect();
}
