import type { RedisClient } from './connection.js';
import { batchUsageKey } from './limiter-keys.js';

/** What a batch's Messages API requests used, as the provider reported it (failed requests count as requests only). */
export interface BatchUsage {
  requests: number;
  failed: number;
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
}

export const NO_BATCH_USAGE: BatchUsage = { requests: 0, failed: 0, input: 0, output: 0, cacheCreation: 0, cacheRead: 0 };

/** A batch's recorded usage (zeros when nothing was recorded, e.g. the offline provider). */
export async function batchUsage(redis: RedisClient, prefix: string, batchId: string): Promise<BatchUsage> {
  const hash = await redis.hgetall(batchUsageKey(prefix, batchId));
  const usage = { ...NO_BATCH_USAGE };
  for (const field of Object.keys(usage) as Array<keyof BatchUsage>) usage[field] = Number(hash[field] ?? 0);
  return usage;
}
