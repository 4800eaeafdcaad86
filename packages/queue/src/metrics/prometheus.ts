import type { Queue } from 'bullmq';
import type * as PromClient from 'prom-client';
import { lazyModule, type RequirementRecord } from '@agent-factory/core';
import type { FactoryConnection } from '../connection.js';
import { queueDepths } from '../queue-depths.js';
import { ALERT_NAMES, loadAlertState } from './alert-state.js';
import { metricsReport } from './report.js';
import { RequirementSeries } from './requirement-series.js';

/** Only workers with AF_METRICS_PORT and the server serve /metrics. */
const prom = lazyModule<typeof PromClient>('prom-client', import.meta.url);

/** The window of the server's cluster gauges. */
const CLUSTER_WINDOW_MINUTES = 5;

/**
 * A process's Prometheus series (its own registry, so several pools in one process do not clash):
 * on a worker what it recorded (RequirementSeries), on the server the cluster's figures, and on
 * both the cluster's queue depths read from Redis at scrape time.
 */
export class PromMetrics {
  private readonly lib = prom();
  readonly registry = new this.lib.Registry();
  /** What this process finished; none on the server, which finishes nothing (its /metrics would say 0 for the cluster). */
  private readonly series: RequirementSeries | undefined;

  /**
   * With a connection: the cluster's queue depths at scrape time (the stage queues and `queues`). With
   * `cluster`: the whole cluster's figures over the last few minutes instead of this process's
   * counters (the server's view; workers count their own).
   */
  constructor(conn?: FactoryConnection, options: { defaults?: boolean; cluster?: boolean; queues?: readonly Queue[] } = {}) {
    if (options.defaults !== false) this.lib.collectDefaultMetrics({ register: this.registry, prefix: 'af_process_' });
    this.series = options.cluster ? undefined : new RequirementSeries(this.lib, this.registry);
    if (conn) this.queueDepths(conn, options.queues ?? []);
    if (conn && options.cluster) {
      this.clusterWindow(conn);
      this.alertsActive(conn);
    }
  }

  /** 1 per alert crossed at the server's last check, 0 otherwise; no series when no server checked lately. */
  private alertsActive(conn: FactoryConnection): void {
    new this.lib.Gauge({
      name: 'af_alert_active',
      help: 'Whether an alert threshold was crossed at the last check (AF_ALERT_*)',
      labelNames: ['alert'],
      registers: [this.registry],
      async collect() {
        const state = await loadAlertState(conn);
        this.reset();
        if (!state) return;
        const active = new Set(state.active.map((a) => a.name));
        for (const alert of ALERT_NAMES) this.set({ alert }, active.has(alert) ? 1 : 0);
      },
    });
  }

  private clusterWindow(conn: FactoryConnection): void {
    new this.lib.Gauge({
      name: 'af_cluster_window',
      help: `The whole cluster over the last ${CLUSTER_WINDOW_MINUTES} minutes, from the metrics in Redis`,
      labelNames: ['measure'],
      registers: [this.registry],
      async collect() {
        const report = await metricsReport(conn, { sinceMs: CLUSTER_WINDOW_MINUTES * 60_000, examples: false });
        if (!report) return;
        const t = report.totals;
        this.set({ measure: 'finished' }, t.finished);
        this.set({ measure: 'agents_per_minute' }, t.perMinute);
        this.set({ measure: 'error_rate' }, t.errorRate);
        this.set({ measure: 'p95_seconds' }, (t.timeP95Ms ?? 0) / 1000);
        this.set({ measure: 'processing_p95_seconds' }, (t.processingP95Ms ?? 0) / 1000);
        this.set({ measure: 'tokens_per_agent' }, t.tokensPerAgent);
        this.set({ measure: 'cost_per_1000_usd' }, report.cost.per1000);
      },
    });
  }

  /** Counts one finished requirement (a worker's; the server has no such series). */
  observe(r: RequirementRecord): void {
    this.series?.observe(r);
  }

  /** Jobs per queue and state, read at scrape time (so every process shows the cluster's queues). */
  private queueDepths(conn: FactoryConnection, others: readonly Queue[]): void {
    new this.lib.Gauge({
      name: 'af_queue_jobs',
      help: 'Jobs per queue (the stages, and on the server webhooks and llm-batches) and state',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        const depths = await queueDepths(conn, others);
        this.reset();
        for (const [queue, counts] of Object.entries(depths)) {
          for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
        }
      },
    });
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
