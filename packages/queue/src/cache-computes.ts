import type { CacheNamespace } from '@agent-factory/core';
import { computesKey, duplicatesKey } from './cache-names.js';
import type { RedisClient } from './connection.js';
import { Script } from './scripts/script.js';

// The duplicate detector: single-flight promises one compute per key and TTL across the cluster, so a
// second compute (a caller that gave up waiting, a failed call retried, a lost write) is counted and
// named. The count expires with the value: recomputing an expired entry is not a duplicate.

/** Counts one compute of a key; from the second on, the key's label goes into the namespace's duplicates. */
const COUNT = new Script('cache-count-compute', `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if n > 1 then redis.call('HSET', KEYS[2], ARGV[2], n) end
return n`);

/** Labels are for people (e.g. `/facebook/react "testing"`); long ones are cut so the hash stays small. */
const MAX_LABEL = 200;

/** A key computed more than once within its TTL. */
export interface DuplicateCompute {
  namespace: CacheNamespace;
  label: string;
  computes: number;
}

/** Counts a compute of `key`; returns how many there have been within the TTL, this one included. */
export async function countCompute(redis: RedisClient, prefix: string, namespace: CacheNamespace, key: string, label: string, ttlSeconds: number): Promise<number> {
  return Number(await COUNT.run(redis, [computesKey(prefix, namespace, key), duplicatesKey(prefix, namespace)], [ttlSeconds, label.slice(0, MAX_LABEL)]));
}

/** Every key computed more than once, most computed first. */
export async function duplicateComputes(redis: RedisClient, prefix: string, namespaces: readonly CacheNamespace[]): Promise<DuplicateCompute[]> {
  const found: DuplicateCompute[] = [];
  for (const namespace of namespaces) {
    for (const [label, computes] of Object.entries(await redis.hgetall(duplicatesKey(prefix, namespace)))) {
      found.push({ namespace, label, computes: Number(computes) });
    }
  }
  return found.sort((x, y) => y.computes - x.computes || x.label.localeCompare(y.label));
}
