import type { FactoryConnection } from '../connection.js';
import { isRedisUnavailable } from '../redis-client.js';
import { redisHealth, type RedisHealth } from '../redis-health.js';
import { writeRefusalOf } from '../redis-saving.js';
import { TimeoutError, withTimeout } from '../with-timeout.js';

/** How long one scrape waits for Redis in all: well within Prometheus' usual 10 s scrape timeout. */
export const REDIS_SCRAPE_MS = 2000;
/** Of which the health probe (af_redis_up) may take this much, as /readyz by default. */
const PROBE_MS = 1000;

/**
 * One scrape's view of Redis. A worker's client queues its commands while Redis is away, and a
 * producer's fails them: either way the series read from Redis must not hold back or fail the ones
 * that need none (af_process_*, this process's counters). Redis is asked once whether it answers; the
 * series that read it are then read within the scrape's deadline, and left out when it does not.
 */
export class RedisScrape {
  private readonly until = Date.now() + REDIS_SCRAPE_MS;
  /** Whether Redis answered the probe, and what it refuses. */
  readonly health: Promise<RedisHealth>;

  constructor(conn: FactoryConnection) {
    this.health = redisHealth(conn, PROBE_MS);
  }

  /**
   * What `read` gives, or undefined (the series is left out) when Redis did not answer the probe, or
   * does not answer this by the deadline, or refuses it (full, unable to save: a report folds first).
   */
  async read<T>(read: () => Promise<T>): Promise<T | undefined> {
    if (!(await this.health).up) return undefined;
    try {
      return await withTimeout(read(), Math.max(0, this.until - Date.now()), 'Redis');
    } catch (error) {
      if (error instanceof TimeoutError || isRedisUnavailable(error) || writeRefusalOf(error)) return undefined;
      throw error;
    }
  }
}
