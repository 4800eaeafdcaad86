import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { configGet } from '../packages/queue/src/redis-checks.js';
import { startRedis, type TestRedis } from './helpers/redis.js';

const open: { redis?: TestRedis; client?: Redis }[] = [];
afterEach(async () => {
  for (const { redis, client } of open.splice(0)) {
    client?.disconnect();
    await redis?.stop();
  }
});

async function clientOf(args: string[] = []): Promise<{ redis: TestRedis; client: Redis }> {
  const redis = await startRedis({ appendonly: false, args });
  // As a producer's client: no offline queue, so a command fails at once while Redis is away.
  const client = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  await new Promise((resolve) => client.once('ready', resolve));
  open.push({ redis, client });
  return { redis, client };
}

describe('configGet', () => {
  it('reads CONFIG GET as a map', async () => {
    const { client } = await clientOf();
    expect(await configGet(client, 'maxmemory-policy')).toEqual({ 'maxmemory-policy': 'noeviction' });
  });

  it('is undefined where the server refuses CONFIG (a managed Redis renames it)', async () => {
    const { client } = await clientOf(['--rename-command', 'CONFIG', '']);
    expect(await configGet(client, 'maxmemory-policy')).toBeUndefined();
  });

  it('throws when the node does not answer: that is no refusal of CONFIG', async () => {
    const { redis, client } = await clientOf();
    open.pop();
    await redis.stop();
    while (client.status === 'ready') await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(configGet(client, 'maxmemory-policy')).rejects.toThrow(/Connection is closed|enableOfflineQueue|Stream isn't writeable/);
    client.disconnect();
  });
});
