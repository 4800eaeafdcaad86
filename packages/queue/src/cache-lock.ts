import { unpackValue } from './cache-codec.js';
import { countComputeLua } from './cache-computes.js';
import type { RedisClient } from './connection.js';
import { Script } from './scripts/script.js';

// The cluster-wide half of single-flight, as Lua so each step is one atomic round trip.
// KEYS[1] is the value, KEYS[2] its lock; for a namespace with a stale window KEYS[3] is the stale
// copy and KEYS[4] the "failing" marker. All carry the prefix's hash tag (one Cluster slot).

/**
 * The value and its remaining ms if present; else, when stale answers are allowed (ARGV[3]) and the entry is failing, its
 * stale copy and the failure; else the lock if free (taken with our token); else the lock's remaining ms.
 */
const GET_OR_LOCK = new Script('cache-get-or-lock', `
local v = redis.call('GET', KEYS[1])
if v then return {'value', v, redis.call('PTTL', KEYS[1])} end
if ARGV[3] == '1' then
  local why = redis.call('GET', KEYS[4])
  if why then
    local s = redis.call('GET', KEYS[3])
    if s then return {'stale', s, why} end
  end
end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {'locked'} end
return {'held', redis.call('PTTL', KEYS[2])}`);

/**
 * Lua: a claim on computing a value that takes longer than one call (a finished agent: the rest of its
 * requirement's pipeline). The value if present; else the claim, taken (or renewed) for `holder` for
 * `leaseMs` when it is free, already the holder's, or held by `replace` (a holder the caller found
 * dead); else who holds it. A new claim is a compute: with count keys (`n` is 4) it is counted for
 * the duplicate detector (countComputeLua; an empty label leaves naming a duplicate to the caller),
 * and the reply has the count. `k` is the index of its first key: value, lock[, count, duplicates].
 * Shared by CLAIM and the load-item script, which claims an item's agent as it reads the item.
 */
export const CLAIM_ENTRY_LUA = `
local function claimEntry(k, keyCount, holder, leaseMs, replace, countTtl, label)
  local v = redis.call('GET', KEYS[k])
  if v then return {'value', v, redis.call('PTTL', KEYS[k])} end
  local h = redis.call('GET', KEYS[k + 1])
  if h and h ~= holder and h ~= replace then return {'held', h} end
  redis.call('SET', KEYS[k + 1], holder, 'PX', leaseMs)
  if h == holder or keyCount < 4 then return {'claimed', 0} end${countComputeLua('KEYS[k + 2]', 'KEYS[k + 3]', 'countTtl', 'label')}
  return {'claimed', n}
end
`;

/** claimEntry on its own (ARGV: holder, lease ms, replace, count TTL, label). */
const CLAIM = new Script('cache-claim', `${CLAIM_ENTRY_LUA}
return claimEntry(1, #KEYS, ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])`);

/**
 * Lua: writes a value (and, with 4 keys, its stale copy, which outlives it, ending a failing spell),
 * and drops the lock if `token` still holds it. `k` is the index of its first key: value, lock[,
 * stale, failing]; `n` how many there are. Shared by COMMIT and the finalize-item script, which
 * stores a finished agent in the step that ends its item.
 */
export const COMMIT_VALUE_LUA = `
local function commitValue(k, n, value, ttl, token, staleTtl)
  redis.call('SET', KEYS[k], value, 'EX', ttl)
  if n > 2 then
    redis.call('SET', KEYS[k + 2], value, 'EX', staleTtl)
    redis.call('DEL', KEYS[k + 3])
  end
  if redis.call('GET', KEYS[k + 1]) == token then redis.call('DEL', KEYS[k + 1]) end
end
`;

/** Writes the value (COMMIT_VALUE_LUA) and wakes the waiters. */
const COMMIT = new Script('cache-commit', `${COMMIT_VALUE_LUA}
commitValue(1, #KEYS, ARGV[1], ARGV[2], ARGV[3], ARGV[5])
redis.call('PUBLISH', ARGV[4], KEYS[1])
return 1`);

/**
 * A compute failed: drops the lock if still ours and wakes the waiters (so one of them takes over).
 * With a stale copy at hand (4 keys), it marks the entry failing for ARGV[4] ms instead, with the
 * failure (ARGV[3]) as the marker's value, so every worker serves the stale copy until then rather
 * than ask a failing source again; it returns that copy.
 */
const RELEASE = new Script('cache-release', `
local s = false
if #KEYS > 2 then
  s = redis.call('GET', KEYS[3])
  if s then redis.call('SET', KEYS[4], ARGV[3], 'PX', ARGV[4]) end
end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
redis.call('PUBLISH', ARGV[2], KEYS[1])
return s`);

/** Extends the lock while its holder still owns it: a live computer keeps it, a dead one loses it fast. */
const RENEW = new Script('cache-renew', `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`);

/** What a claim found; a new claim counted for the duplicate detector says how many computes there have been (0 when not counted). */
export type ClaimAttempt = { kind: 'value'; json: string; pttl: number } | { kind: 'claimed'; computes: number } | { kind: 'held'; holder: string };

/** Where a claim's computes are counted (cache-computes.ts), with the TTL and label they are counted under. */
export interface ClaimCount {
  key: string;
  duplicates: string;
  ttlSeconds: number;
  label: string;
}

/** A claim for claimEntry in a script: its keys and arguments (holder, lease ms, replace, count TTL). */
export interface ClaimStep {
  keys: string[];
  args: [string, number, string, number];
}

export function claimStep(keys: EntryKeys, holder: string, leaseMs: number, replace: string, count?: ClaimCount): ClaimStep {
  return { keys: count ? [keys.value, keys.lock, count.key, count.duplicates] : [keys.value, keys.lock], args: [holder, leaseMs, replace, count?.ttlSeconds ?? 0] };
}

/** claimEntry's reply, its strings as Buffers (a value may be compressed). */
export function claimAttempt(reply: [Buffer, Buffer | number | undefined, number?]): ClaimAttempt {
  const [kindBytes, data, pttl] = reply;
  const kind = kindBytes.toString();
  if (kind === 'value' && Buffer.isBuffer(data)) return { kind, json: unpackValue(data), pttl: Number(pttl) };
  if (kind === 'held' && Buffer.isBuffer(data)) return { kind, holder: data.toString() };
  return { kind: 'claimed', computes: Number(data ?? 0) };
}

/** The value, or the claim for `holder` (free, its own, or `replace`'s), or who holds it; a duplicate compute is named in the same step. */
export async function claim(redis: RedisClient, keys: EntryKeys, holder: string, leaseMs: number, replace: string, count?: ClaimCount): Promise<ClaimAttempt> {
  const step = claimStep(keys, holder, leaseMs, replace, count);
  return claimAttempt((await CLAIM.runBuffer(redis, step.keys, [...step.args, count?.label ?? ''])) as [Buffer, Buffer | number | undefined, number?]);
}

export type LockAttempt = { kind: 'value'; json: string; pttl: number } | { kind: 'stale'; json: string; failure: string } | { kind: 'locked' } | { kind: 'held'; pttl: number };

/** How long stale copies live and how long a failing entry serves its stale copy before the source is asked again. */
export interface StaleWindow {
  /** The stale copy's key: it outlives the value by `seconds`. */
  key: string;
  /** Set while the entry is failing. */
  failing: string;
  seconds: number;
  retryMs: number;
}

export interface EntryKeys {
  value: string;
  lock: string;
  channel: string;
  /** Only for namespaces with a stale window (stale-while-error). */
  stale?: StaleWindow;
}

const keyList = (keys: EntryKeys): string[] => (keys.stale ? [keys.value, keys.lock, keys.stale.key, keys.stale.failing] : [keys.value, keys.lock]);

/** The value, a stale copy (when `allowStale` and the entry is failing), the lock, or how long the lock still lives. */
export async function getOrLock(redis: RedisClient, keys: EntryKeys, token: string, lockTtlMs: number, allowStale = false): Promise<LockAttempt> {
  const list = keyList(keys);
  // Buffers: a value may be compressed (cache-codec.ts).
  const reply = (await GET_OR_LOCK.runBuffer(redis, list, [token, lockTtlMs, allowStale && keys.stale ? '1' : '0'])) as [Buffer, Buffer | number | null, Buffer | number | undefined];
  const [kindBytes, data, third] = reply;
  const kind = kindBytes.toString();
  if (kind === 'value' && Buffer.isBuffer(data)) return { kind, json: unpackValue(data), pttl: Number(third) };
  const failure = third;
  if (kind === 'stale' && Buffer.isBuffer(data)) return { kind, json: unpackValue(data), failure: String(failure) };
  if (kind === 'locked') return { kind };
  // PTTL is -1 for a lock without expiry (never ours) and -2 when it just vanished: retry soon.
  return { kind: 'held', pttl: Number(data) };
}

/** A value's write for COMMIT_VALUE_LUA in another script: its keys, and its TTL, lock token and stale copy's TTL (the value itself is the caller's). */
export interface ValueWrite {
  keys: string[];
  ttlSeconds: number;
  token: string;
  staleTtlSeconds: number;
}

export function valueWrite(keys: EntryKeys, ttlSeconds: number, token: string): ValueWrite {
  return { keys: keyList(keys), ttlSeconds, token, staleTtlSeconds: ttlSeconds + (keys.stale?.seconds ?? 0) };
}

/** Stores a value as packed (cache-codec.ts). */
export async function commit(redis: RedisClient, keys: EntryKeys, stored: string | Buffer, ttlSeconds: number, token: string): Promise<void> {
  const write = valueWrite(keys, ttlSeconds, token);
  await COMMIT.run(redis, write.keys, [stored, ttlSeconds, token, keys.channel, write.staleTtlSeconds]);
}

/** Gives up on a compute; returns the stale copy now being served instead, if the entry has one. */
export async function release(redis: RedisClient, keys: EntryKeys, token: string, failure: string): Promise<string | undefined> {
  const list = keyList(keys);
  const stale = (await RELEASE.runBuffer(redis, list, [token, keys.channel, failure, keys.stale?.retryMs ?? 0])) as Buffer | null;
  return stale ? unpackValue(stale) : undefined;
}

export async function renew(redis: RedisClient, keys: EntryKeys, token: string, lockTtlMs: number): Promise<boolean> {
  return Number(await RENEW.run(redis, [keys.lock], [token, lockTtlMs])) === 1;
}
