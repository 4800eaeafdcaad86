import type { Cluster } from 'ioredis';
import { clearChannel, doneChannel, warmedChannel } from './cache-names.js';
import type { RedisClient } from './connection.js';

const isCluster = (redis: RedisClient): redis is Cluster => redis.isCluster;

export interface Wait {
  /** Resolves when the entry is announced, after `ms`, or on close; never rejects. */
  promise: Promise<void>;
  cancel(): void;
}

/**
 * One subscriber connection per cache: wakes local waiters when any worker writes (or gives up on) an
 * entry, and reports cleared and freshly warmed namespaces. Waiters also poll, so a lost message or a broken subscriber
 * only slows them down.
 */
export class CacheNotifications {
  private readonly sub: RedisClient;
  private readonly waiters = new Map<string, Set<() => void>>();
  /** Settles once subscribed (or once subscribing failed: waiters then just poll). May stay pending while Redis is down. */
  readonly ready: Promise<void>;

  constructor(redis: RedisClient, prefix: string, on: { clear(namespace: string): void; warmed(namespace: string): void }) {
    const done = doneChannel(prefix);
    const clear = clearChannel(prefix);
    const warmed = warmedChannel(prefix);
    // Its own settings whatever the shared client's (a producer's fails fast offline): connect now,
    // queue the SUBSCRIBE until connected, and never give up reconnecting.
    this.sub = isCluster(redis)
      ? redis.duplicate(undefined, { lazyConnect: false, enableOfflineQueue: true })
      : redis.duplicate({ lazyConnect: false, enableOfflineQueue: true, maxRetriesPerRequest: null });
    // Errors of this connection only cost latency (polling covers them); ioredis reconnects and resubscribes.
    this.sub.on('error', () => undefined);
    this.sub.on('message', (channel: string, message: string) => {
      if (channel === done) this.wake(message);
      else if (channel === clear) on.clear(message);
      else if (channel === warmed) on.warmed(message);
    });
    this.ready = this.sub.subscribe(done, clear, warmed).then(
      () => undefined,
      () => undefined,
    );
  }

  /** Waits for `key` to be announced, at most `ms`. Register before checking Redis, so no announcement slips by. */
  wait(key: string, ms: number): Wait {
    let wake = (): void => undefined;
    let timer: NodeJS.Timeout | undefined;
    const promise = new Promise<void>((resolve) => {
      wake = () => {
        clearTimeout(timer);
        this.waiters.get(key)?.delete(wake);
        if (this.waiters.get(key)?.size === 0) this.waiters.delete(key);
        resolve();
      };
      timer = setTimeout(wake, ms);
    });
    const set = this.waiters.get(key) ?? new Set();
    set.add(wake);
    this.waiters.set(key, set);
    return { promise, cancel: wake };
  }

  private wake(key: string): void {
    for (const wake of [...(this.waiters.get(key) ?? [])]) wake();
  }

  async close(): Promise<void> {
    for (const key of [...this.waiters.keys()]) this.wake(key);
    await this.sub.quit().catch(() => this.sub.disconnect());
  }
}
