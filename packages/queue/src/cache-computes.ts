import type { CacheNamespace } from '@agent-factory/core';
import { computesKey, duplicatesKey } from './cache-names.js';
import type { RedisClient } from './connection.js';
import { Script } from './scripts/script.js';

// The duplicate detector: single-flight promises one compute per key and TTL across the cluster, so a
// second compute (a caller that gave up waiting, a failed call retried, a lost write) is counted and
// named. The count expires with the value: recomputing an expired entry is not a duplicate.

/**
 * Lua that counts one compute of a key and, from the second on, puts the key's label into the
 * namespace's duplicates, leaving the count in `n`; the arguments name the script's KEYS and ARGV
 * (count key, duplicates hash, TTL seconds, label), so other scripts can count in the same step. An
 * empty label is left to the caller, who knows it only after the script (labelDuplicate).
 */
export const countComputeLua = (count: string, duplicates: string, ttl: string, label: string): string => `
local n = redis.call('INCR', ${count})
if n == 1 then redis.call('EXPIRE', ${count}, ${ttl}) end
if n > 1 and ${label} ~= '' then redis.call('HSET', ${duplicates}, ${label}, n) end`;

/** Counts one compute of a key; from the second on, the key's label goes into the namespace's duplicates. */
const COUNT = new Script('cache-count-compute', `${countComputeLua('KEYS[1]', 'KEYS[2]', 'ARGV[1]', 'ARGV[2]')}
return n`);

/** Labels are for people (e.g. `/facebook/react "testing"`); long ones are cut so the hash stays small. */
export const MAX_LABEL = 200;

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

/** Names a key a script counted computed `computes` times without its label (countComputeLua). */
export async function labelDuplicate(redis: RedisClient, duplicates: string, label: string, computes: number): Promise<void> {
  await redis.hset(duplicates, label.slice(0, MAX_LABEL), computes);
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
