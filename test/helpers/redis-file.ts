import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startRedis, type TestRedis } from './redis.js';

export interface RedisFile {
  readonly redis: TestRedis;
  /** A client on it for the test's own reads. */
  readonly client: Redis;
  /** Cleanups run after the current test, the last registered first. */
  defer(...close: (() => Promise<unknown>)[]): void;
}

/** A private redis-server for the whole test file, registered with its hooks; no AOF unless asked. */
export function redisPerFile(options: { appendonly?: boolean } = {}): RedisFile {
  let redis: TestRedis | undefined;
  let client: Redis | undefined;
  const closers: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    redis = await startRedis({ appendonly: options.appendonly ?? false });
    client = new Redis(redis.url);
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  afterAll(async () => {
    await client?.quit();
    await redis?.stop();
  });
  return {
    get redis() {
      if (!redis) throw new Error('redis is started in beforeAll');
      return redis;
    },
    get client() {
      if (!client) throw new Error('the client is made in beforeAll');
      return client;
    },
    defer: (...close) => void closers.push(...close),
  };
}
