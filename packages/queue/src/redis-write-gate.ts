import type { Worker } from 'bullmq';
import type { FactoryConnection } from './connection.js';
import type { Logger } from './logger.js';
import { fullest, redisFullMessage, redisMemory } from './redis-memory.js';
import { writeRefusalOf, type Refusal } from './redis-saving.js';

/** How often a closed gate looks for room. */
const PROBE_MS = 2000;
/**
 * Room under maxmemory a closed gate waits for (5%, at least 1 MiB): a Redis that frees a few bytes
 * would otherwise reopen it and fill again at once, pausing the workers every few seconds.
 */
const headroom = (max: number): number => Math.max(1024 * 1024, max * 0.05);
/** The "workers paused" line is logged at most this often: a Redis at its limit may close the gate again and again. */
const LOG_EVERY_MS = 60_000;

/** The words for a Redis that cannot persist: its own first sentence, and what to do. */
function diskMessage(error: unknown): string {
  const own = error instanceof Error ? /^MISCONF ([^.]*)/.exec(error.message)?.[1] : undefined;
  return (
    `Redis refuses every write because it cannot save to disk (${own ?? 'MISCONF'}), so batches stop until it can; ` +
    'its log says why (often a full or read-only disk): fix that, and Redis takes writes again after its next save succeeds (BGSAVE)'
  );
}

/**
 * A worker process's answer to a Redis that refuses writes: full (maxmemory, noeviction) or unable to
 * save to disk. No job can then start, finish or even fail, and a stage that keeps running fails for a
 * reason that is not its own, spending its attempts until its requirement fails. So the first refusal
 * closes the gate: this process's workers stop fetching and say once what is wrong and what fixes it;
 * a small write every two seconds tells when Redis takes writes again (with room to spare, when it was
 * full), and the workers go on by themselves. The stage runs that met a refusal wait here, then go
 * back to their queue without spending an attempt.
 */
export class RedisWriteGate {
  private opened: Promise<void> | undefined;
  private open: (() => void) | undefined;
  private cause: Refusal = 'full';
  private since = 0;
  private loggedAt = -Infinity;
  /** This closing was logged: its reopening is too. */
  private announced = false;
  private stopped = false;

  constructor(
    private readonly conn: FactoryConnection,
    private readonly workers: () => readonly Worker[],
    private readonly logger: Logger,
    private readonly probeMs = PROBE_MS,
  ) {}

  /** True, and the gate closed, when `error` is Redis refusing a write (full, or unable to save). */
  noticed(error: unknown): boolean {
    const cause = writeRefusalOf(error);
    if (!cause) return false;
    if (!this.opened && !this.stopped) this.close(cause, error);
    return true;
  }

  /** Why this process's workers are paused now (full, or unable to save), or undefined while the gate is open: /metrics' af_worker_paused. */
  get pausedFor(): Refusal | undefined {
    return this.opened && !this.stopped ? this.cause : undefined;
  }

  /** Resolves once Redis takes writes again (at once when the gate is open), or the process stops. */
  whenOpen(): Promise<void> {
    return this.opened ?? Promise.resolve();
  }

  /** The process is stopping: no more probes, and nobody waits any longer. */
  stop(): void {
    this.stopped = true;
    this.open?.();
  }

  private close(cause: Refusal, error: unknown): void {
    this.cause = cause;
    this.since = Date.now();
    this.opened = new Promise((resolve) => (this.open = resolve));
    for (const worker of this.workers()) void worker.pause(true).catch(() => undefined);
    void this.probe();
    this.announced = this.since - this.loggedAt >= LOG_EVERY_MS;
    if (!this.announced) return;
    this.loggedAt = this.since;
    if (cause === 'disk') {
      this.logger.error(`${diskMessage(error)}; workers paused`);
      return;
    }
    // INFO is a read, which a full Redis still answers.
    void redisMemory(this.conn.redis).then(
      (nodes) => this.logger.error({ memory: nodes }, `${redisFullMessage(fullest(nodes))}; workers paused`),
      () => this.logger.error(`${redisFullMessage(undefined)}; workers paused`),
    );
  }

  /** Whether Redis takes writes again: headroom under maxmemory when it was full (when INFO tells), and a write it takes. */
  private async writable(key: string): Promise<boolean> {
    if (this.cause === 'full') {
      const nodes = await redisMemory(this.conn.redis).catch(() => []);
      if (nodes.some((n) => n.max > 0 && n.used > n.max - headroom(n.max))) return false;
    }
    await this.conn.redis.set(key, '1', 'PX', this.probeMs * 2);
    return true;
  }

  private async probe(): Promise<void> {
    const key = `${this.conn.config.prefix}:writable`;
    while (!this.stopped) {
      await new Promise((resolve) => setTimeout(resolve, this.probeMs).unref());
      if (this.stopped) break;
      try {
        if (await this.writable(key)) break;
      } catch {
        // Still refusing, or away: the next probe asks again.
      }
    }
    const waited = Date.now() - this.since;
    this.opened = undefined;
    this.open?.();
    this.open = undefined;
    if (this.stopped) return;
    for (const worker of this.workers()) worker.resume();
    if (this.announced) this.logger.info({ pausedMs: waited }, this.cause === 'full' ? 'Redis has room again; workers resumed' : 'Redis takes writes again; workers resumed');
  }
}
