import type { RedisClient } from './connection.js';

// The cluster-wide half of single-flight, as Lua so each step is one atomic round trip.
// KEYS[1] is the value, KEYS[2] its lock; both carry the prefix's hash tag (one Cluster slot).

/** The value if present; else the lock if free (taken with our token); else the lock's remaining ms. */
const GET_OR_LOCK = `
local v = redis.call('GET', KEYS[1])
if v then return {'value', v} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {'locked'} end
return {'held', redis.call('PTTL', KEYS[2])}`;

/** Writes the value, drops the lock if it is still ours, wakes the waiters. */
const COMMIT = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
redis.call('PUBLISH', ARGV[4], KEYS[1])
return 1`;

/** Drops the lock if it is still ours and wakes the waiters (so one of them takes over). */
const RELEASE = `
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
redis.call('PUBLISH', ARGV[2], KEYS[1])
return 1`;

/** Extends the lock while its holder still owns it: a live computer keeps it, a dead one loses it fast. */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

export type LockAttempt = { kind: 'value'; json: string } | { kind: 'locked' } | { kind: 'held'; pttl: number };

export interface EntryKeys {
  value: string;
  lock: string;
  channel: string;
}

export async function getOrLock(redis: RedisClient, keys: EntryKeys, token: string, lockTtlMs: number): Promise<LockAttempt> {
  const reply = (await redis.eval(GET_OR_LOCK, 2, keys.value, keys.lock, token, lockTtlMs)) as [string, string | number | null];
  const [kind, data] = reply;
  if (kind === 'value') return { kind, json: String(data) };
  if (kind === 'locked') return { kind };
  // PTTL is -1 for a lock without expiry (never ours) and -2 when it just vanished: retry soon.
  return { kind: 'held', pttl: Number(data) };
}

export async function commit(redis: RedisClient, keys: EntryKeys, json: string, ttlSeconds: number, token: string): Promise<void> {
  await redis.eval(COMMIT, 2, keys.value, keys.lock, json, ttlSeconds, token, keys.channel);
}

export async function release(redis: RedisClient, keys: EntryKeys, token: string): Promise<void> {
  await redis.eval(RELEASE, 2, keys.value, keys.lock, token, keys.channel);
}

export async function renew(redis: RedisClient, keys: EntryKeys, token: string, lockTtlMs: number): Promise<boolean> {
  return Number(await redis.eval(RENEW, 1, keys.lock, token, lockTtlMs)) === 1;
}
