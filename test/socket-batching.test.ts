import { openRedis, type RedisClient } from '@agent-factory/queue';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from './helpers/redis.js';

let redis: TestRedis;
let plain: Redis;

beforeAll(async () => {
  redis = await startRedis({ appendonly: false });
  plain = new Redis(redis.url);
  // Reconnects on its own after the restart below.
  plain.on('error', () => undefined);
});

afterAll(async () => {
  plain.disconnect();
  await redis.stop();
});

/** Reads Redis has processed from its clients' sockets, this INFO's own not counted. */
async function readsAfter(client: RedisClient, commands: number): Promise<number> {
  const reads = async (): Promise<number> => Number(/total_reads_processed:(\d+)/.exec(await plain.info('stats'))?.[1]);
  const before = await reads();
  // Issued in one tick, as a worker's jobs do when their replies arrive together.
  await Promise.all(Array.from({ length: commands }, (_, i) => client.set(`k${i}`, 'v')));
  return (await reads()) - before - 1;
}

describe('writes per tick', () => {
  it("sends the commands a client issues in one tick in one write (Redis reads them at once)", async () => {
    const client = await openRedis(redis.url, 'worker');
    try {
      const batched = await readsAfter(client, 1000);
      const unbatched = await readsAfter(plain, 1000);
      console.log(`socket batching: 1,000 commands in one tick took Redis ${batched} read(s); plain ioredis: ${unbatched}`);
      // ~30 KB: Redis reads 16 KB at a time. (Plain ioredis: one write per command, of which a busy
      // Redis reads several at once: from ~20 to ~900 reads, too loose a bound to assert.)
      expect(batched).toBeLessThanOrEqual(4);
    } finally {
      client.disconnect();
    }
  });

  it('keeps batching after Redis restarts (the client reconnects on a new socket)', async () => {
    const client = await openRedis(redis.url, 'worker');
    try {
      await redis.restart({ downMs: 200 });
      await client.ping();
      await plain.ping();
      expect(await readsAfter(client, 1000)).toBeLessThanOrEqual(4);
      expect(await client.get('k999')).toBe('v');
    } finally {
      client.disconnect();
    }
  });
});
