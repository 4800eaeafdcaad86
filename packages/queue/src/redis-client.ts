import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisClient } from './connection.js';
import { displayRedisUrl, parseRedisUrl } from './redis-url.js';
import { batchWritesPerTick } from './socket-batching.js';

/**
 * What a client is for. BullMQ workers (and anything a worker process does while Redis restarts)
 * must wait out an outage: no per-request retry limit, commands queued offline. Producers fail fast
 * instead, so a user's `submit` reports a dead Redis rather than hanging.
 */
export type ClientRole = 'producer' | 'worker' | 'subscriber';


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
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|Connection is closed|Command aborted due to connection close|Stream isn't writeable|enableOfflineQueue|LOADING|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|Too many Cluster redirections|Failed to refresh slots cache|None of startup nodes is available/.test(error.message)
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
