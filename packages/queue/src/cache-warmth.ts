import type { CacheNamespace } from '@agent-factory/core';
import { warmedChannel, warmedKey } from './cache-names.js';
import type { RedisClient } from './connection.js';

/** How long a worker trusts what it last read about a namespace's warmed keys. */
export const WARMTH_REFRESH_MS = 5000;
/** Warmed keys added per ZADD when marking (one pipeline in all). */
const MARK_CHUNK = 1000;

/** What a process knows of a namespace's warmed keys: each with when its entry expires (ms since the epoch). */
interface Known {
  until: ReadonlyMap<string, number>;
  /** The set's size when read: unchanged, the set is not read again. */
  count: number;
  at: number;
}

const nothingWarmed = (): Known => ({ until: new Map(), count: 0, at: Date.now() });

/**
 * Which keys `cache warm` stored in a namespace workers only read when warmed (analysis: planning
 * costs less than the read), each until its entry expires. A worker reads Redis only for a key that
 * was warmed: a namespace-wide "warmed" marker had every requirement of every batch read, and miss,
 * for the whole TTL after 10 requirements were warmed. Redis keeps them as a sorted set (key → expiry
 * in ms); each process keeps a copy (some 100 bytes a key), checked at most every WARMTH_REFRESH_MS
 * (ZCARD; the members only when that changed) and read again at once when warmed or cleared.
 */
export class Warmth {
  private readonly known = new Map<CacheNamespace, Known>();
  private readonly reading = new Map<CacheNamespace, Promise<Known>>();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  /** Whether `key` was warmed in `ns` and its entry should still be there. */
  async isWarm(ns: CacheNamespace, key: string): Promise<boolean> {
    const known = await this.current(ns);
    return (known.until.get(key) ?? 0) > Date.now();
  }

  /** Says `keys` are warmed for as long as their entries live; every worker hears it at once. */
  async mark(ns: CacheNamespace, keys: readonly string[], ttlSeconds: number): Promise<void> {
    const set = warmedKey(this.prefix, ns);
    const now = Date.now();
    const until = now + ttlSeconds * 1000;
    const pipeline = this.redis.pipeline();
    // Keys warmed earlier whose entries have expired go, so the set holds what is warm.
    pipeline.zremrangebyscore(set, '-inf', now);
    for (let i = 0; i < keys.length; i += MARK_CHUNK) pipeline.zadd(set, ...keys.slice(i, i + MARK_CHUNK).flatMap((k) => [until, k]));
    pipeline.pexpire(set, ttlSeconds * 1000);
    for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
    this.known.delete(ns);
    await this.redis.publish(warmedChannel(this.prefix), ns);
  }

  /** Read again next time: the namespace was warmed or cleared (a lost message: within WARMTH_REFRESH_MS). */
  forget(ns: CacheNamespace | '*'): void {
    if (ns === '*') this.known.clear();
    else this.known.delete(ns);
  }

  /** What is known, read again when older than WARMTH_REFRESH_MS (callers meanwhile share one read). */
  private current(ns: CacheNamespace): Promise<Known> | Known {
    const known = this.known.get(ns);
    if (known && Date.now() - known.at < WARMTH_REFRESH_MS) return known;
    let read = this.reading.get(ns);
    if (!read) {
      read = this.read(ns, known)
        // Redis unreachable: keep what was known (reads would fail anyway), and try again later.
        .catch(() => ({ ...(known ?? nothingWarmed()), at: Date.now() }))
        .then((fresh) => {
          this.known.set(ns, fresh);
          this.reading.delete(ns);
          return fresh;
        });
      this.reading.set(ns, read);
    }
    return read;
  }

  private async read(ns: CacheNamespace, known: Known | undefined): Promise<Known> {
    const set = warmedKey(this.prefix, ns);
    const count = await this.redis.zcard(set);
    if (known && count === known.count) return { ...known, at: Date.now() };
    const flat = count === 0 ? [] : await this.redis.zrange(set, 0, -1, 'WITHSCORES');
    const until = new Map<string, number>();
    for (let i = 0; i + 1 < flat.length; i += 2) until.set(flat[i]!, Number(flat[i + 1]));
    return { until, count, at: Date.now() };
  }
}
