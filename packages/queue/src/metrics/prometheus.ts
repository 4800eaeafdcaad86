import type { Queue } from 'bullmq';
import type * as PromClient from 'prom-client';
import { lazyModule, type RequirementRecord } from '@agent-factory/core';
import type { FactoryConnection } from '../connection.js';
import { queueDepths } from '../queue-depths.js';
import type { RedisHealth } from '../redis-health.js';
import type { Refusal } from '../redis-saving.js';
import { ALERT_NAMES, loadAlertState } from './alert-state.js';
import { RedisScrape } from './redis-scrape.js';
import { metricsReport } from './report.js';
import { RequirementSeries } from './requirement-series.js';

/** Only workers with AF_METRICS_PORT and the server serve /metrics. */
const prom = lazyModule<typeof PromClient>('prom-client', import.meta.url);

/** The window of the server's cluster gauges. */
const CLUSTER_WINDOW_MINUTES = 5;

/** af_worker_paused's reasons for a pool's closed Redis write gate. */
const GATE_REASONS: Record<Refusal, string> = { full: 'redis_full', disk: 'redis_cannot_save' };

/** Where a pool's pauses are read (stage-worker.ts): its Redis write gate, and the cluster-wide pause after a 429 when it generates. */
export interface PauseSource {
  /** Why the pool's workers are paused for Redis now, if they are. */
  writeGate(): Refusal | undefined;
  /** The 429 pause left, in ms (read from Redis). */
  rateLimitPauseMs?(): Promise<number>;
}

/** Reads Redis within the current scrape's deadline; undefined when it does not answer (see RedisScrape). */
type RedisRead = <T>(read: () => Promise<T>) => Promise<T | undefined>;

/**
 * A process's Prometheus series (its own registry, so several pools in one process do not clash):
 * on a worker what it recorded (RequirementSeries) and why its workers are paused, on the server the
 * cluster's figures, and on both Redis's state and the cluster's queue depths read from Redis at
 * scrape time. A Redis that is away or slow leaves out the series read from it, never the scrape.
 */
export class PromMetrics {
  private readonly lib = prom();
  readonly registry = new this.lib.Registry();
  /** What this process finished; none on the server, which finishes nothing (its /metrics would say 0 for the cluster). */
  private readonly series: RequirementSeries | undefined;
  /** The pools this process runs (a worker's). */
  private readonly pauses: PauseSource[] = [];
  /** The scrape being rendered, one at a time, and its view of Redis: every series reading Redis shares its probe and deadline. */
  private rendering: Promise<string> | undefined;
  private scrape: RedisScrape | undefined;

  /**
   * With a connection: Redis's state and the cluster's queue depths at scrape time (the stage queues
   * and `queues`). With `cluster`: the whole cluster's figures over the last few minutes instead of
   * this process's counters (the server's view; workers count their own).
   */
  constructor(conn?: FactoryConnection, options: { defaults?: boolean; cluster?: boolean; queues?: readonly Queue[] } = {}) {
    if (options.defaults !== false) this.lib.collectDefaultMetrics({ register: this.registry, prefix: 'af_process_' });
    this.series = options.cluster ? undefined : new RequirementSeries(this.lib, this.registry);
    if (!conn) return;
    const health = (): Promise<RedisHealth> => (this.scrape ??= new RedisScrape(conn)).health;
    const read: RedisRead = (fn) => (this.scrape ??= new RedisScrape(conn)).read(fn);
    this.redisState(health);
    this.queueDepths(conn, options.queues ?? [], read);
    if (options.cluster) {
      this.clusterWindow(conn, read);
      this.alertsActive(conn, read);
    } else {
      this.workerPaused(read);
    }
  }

  /** A gauge of this registry whose values `collect` sets at each scrape. */
  private gauge(name: string, help: string, labelNames: readonly string[], collect: (gauge: PromClient.Gauge) => void | Promise<void>): void {
    new this.lib.Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        return collect(this);
      },
    });
  }

  /** A gauge set from what `read` gets from Redis at each scrape; no series at all when Redis does not answer (see RedisScrape). */
  private redisGauge<T>(name: string, help: string, labelNames: readonly string[], read: () => Promise<T | undefined>, set: (gauge: PromClient.Gauge, value: T) => void): void {
    this.gauge(name, help, labelNames, async (gauge) => {
      const value = await read();
      gauge.reset();
      if (value !== undefined) set(gauge, value);
    });
  }

  /** Whether Redis answers, and whether it refuses writes: what /readyz checks, as series an alert can watch. */
  private redisState(health: () => Promise<RedisHealth>): void {
    const gauge = (name: string, help: string, value: (h: RedisHealth) => boolean): void =>
      this.gauge(name, help, [], async (g) => {
        g.set(value(await health()) ? 1 : 0);
      });
    gauge('af_redis_up', 'Whether Redis answered at this scrape (the series read from Redis are left out when not)', (h) => h.up);
    gauge('af_redis_full', 'Whether a Redis master is at its maxmemory (noeviction): it refuses writes, and batches stop', (h) => h.up && h.refusals.some((r) => r.code === 'redis_full'));
    gauge('af_redis_cannot_save', "Whether a Redis master's last RDB save or AOF write failed: it refuses writes (MISCONF), and batches stop", (h) => h.up && h.refusals.some((r) => r.code === 'redis_cannot_save'));
  }

  /**
   * 1 per reason this process's workers are paused: Redis full or unable to save (known here, so said
   * while Redis is away too), or the cluster-wide pause after a 429 (read from Redis: left out when it
   * does not answer, and when no pool here generates).
   */
  private workerPaused(read: RedisRead): void {
    const pauses = this.pauses;
    this.gauge('af_worker_paused', "Whether this process's workers are paused, by reason: Redis full, Redis unable to save, the provider's 429 pause", ['reason'], async (gauge) => {
      const gates = new Set(pauses.map((p) => p.writeGate()));
      for (const [cause, reason] of Object.entries(GATE_REASONS)) gauge.set({ reason }, gates.has(cause as Refusal) ? 1 : 0);
      const limited = pauses.flatMap((p) => (p.rateLimitPauseMs ? [p.rateLimitPauseMs.bind(p)] : []));
      const left = limited.length > 0 ? await read(() => Promise.all(limited.map((ms) => ms()))) : undefined;
      gauge.remove({ reason: 'rate_limit' });
      if (left) gauge.set({ reason: 'rate_limit' }, left.some((ms) => ms > 0) ? 1 : 0);
    });
  }

  /** 1 per alert crossed at the server's last check, 0 otherwise; no series when no server checked lately. */
  private alertsActive(conn: FactoryConnection, read: RedisRead): void {
    this.redisGauge('af_alert_active', 'Whether an alert threshold was crossed at the last check (AF_ALERT_*)', ['alert'], () => read(() => loadAlertState(conn)), (gauge, state) => {
      const active = new Set(state.active.map((a) => a.name));
      for (const alert of ALERT_NAMES) gauge.set({ alert }, active.has(alert) ? 1 : 0);
    });
  }

  private clusterWindow(conn: FactoryConnection, read: RedisRead): void {
    const help = `The whole cluster over the last ${CLUSTER_WINDOW_MINUTES} minutes, from the metrics in Redis`;
    this.redisGauge('af_cluster_window', help, ['measure'], () => read(() => metricsReport(conn, { sinceMs: CLUSTER_WINDOW_MINUTES * 60_000, examples: false })), (gauge, report) => {
      const t = report.totals;
      gauge.set({ measure: 'finished' }, t.finished);
      gauge.set({ measure: 'agents_per_minute' }, t.perMinute);
      gauge.set({ measure: 'error_rate' }, t.errorRate);
      gauge.set({ measure: 'p95_seconds' }, (t.timeP95Ms ?? 0) / 1000);
      gauge.set({ measure: 'processing_p95_seconds' }, (t.processingP95Ms ?? 0) / 1000);
      gauge.set({ measure: 'tokens_per_agent' }, t.tokensPerAgent);
      gauge.set({ measure: 'cost_per_1000_usd' }, report.cost.per1000);
    });
  }

  /** Counts one finished requirement (a worker's; the server has no such series). */
  observe(r: RequirementRecord): void {
    this.series?.observe(r);
  }

  /** The pauses of a pool this process runs, for af_worker_paused. */
  watchPauses(source: PauseSource): void {
    this.pauses.push(source);
  }

  /** Jobs per queue and state, read at scrape time (so every process shows the cluster's queues). */
  private queueDepths(conn: FactoryConnection, others: readonly Queue[], read: RedisRead): void {
    this.redisGauge('af_queue_jobs', 'Jobs per queue (the stages, and on the server webhooks and llm-batches) and state', ['queue', 'state'], () => read(() => queueDepths(conn, others)), (gauge, depths) => {
      for (const [queue, counts] of Object.entries(depths)) {
        for (const [state, n] of Object.entries(counts)) gauge.set({ queue, state }, n);
      }
    });
  }

  /** The exposition text; one render at a time, each with a fresh view of Redis (asked within REDIS_SCRAPE_MS). */
  metrics(): Promise<string> {
    this.rendering ??= (async () => {
      this.scrape = undefined;
      try {
        return await this.registry.metrics();
      } finally {
        this.rendering = undefined;
      }
    })();
    return this.rendering;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
