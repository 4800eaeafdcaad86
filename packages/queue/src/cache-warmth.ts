import type { CacheNamespace } from '@agent-factory/core';
import { warmedChannel, warmedKey } from './cache-names.js';
import type { RedisClient } from './connection.js';

/** How long a worker trusts what it last read about a namespace being warmed. */
export const WARMTH_REFRESH_MS = 5000;

/**
 * Whether `cache warm` filled a namespace, read from Redis at most every WARMTH_REFRESH_MS per
 * process (callers meanwhile share one read). A namespace that is only worth reading when warmed
 * (analysis: planning costs less than the read) then costs a batch nothing when nobody warmed it.
 */
export class Warmth {
  private readonly known = new Map<CacheNamespace, { warm: boolean; at: number }>();
  private readonly reading = new Map<CacheNamespace, Promise<boolean>>();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async isWarm(ns: CacheNamespace): Promise<boolean> {
    const known = this.known.get(ns);
    if (known && Date.now() - known.at < WARMTH_REFRESH_MS) return known.warm;
    let read = this.reading.get(ns);
    if (!read) {
      read = this.redis
        .exists(warmedKey(this.prefix, ns))
        .then((n) => n === 1, () => known?.warm ?? false)
        .then((warm) => {
          this.known.set(ns, { warm, at: Date.now() });
          this.reading.delete(ns);
          return warm;
        });
      this.reading.set(ns, read);
    }
    return read;
  }

  /** Says a namespace is warmed, for as long as its entries live; every worker hears it at once. */
  async mark(ns: CacheNamespace, ttlSeconds: number): Promise<void> {
    await this.redis.set(warmedKey(this.prefix, ns), '1', 'EX', ttlSeconds);
    this.known.delete(ns);
    await this.redis.publish(warmedChannel(this.prefix), ns);
  }

  /** Read again next time: the namespace was warmed or cleared (a lost message: within WARMTH_REFRESH_MS). */
  forget(ns: CacheNamespace | '*'): void {
    if (ns === '*') this.known.clear();
    else this.known.delete(ns);
  }
}
