import type { Queue } from 'bullmq';
import type * as PromClient from 'prom-client';
import { lazyModule, PIPELINE_STAGES, recordTokens, tierLabel, type RequirementRecord } from '@agent-factory/core';
import type { FactoryConnection } from '../connection.js';
import { queueDepths } from '../queue-depths.js';
import { ALERT_NAMES, loadAlertState } from './alert-state.js';
import { metricsReport } from './report.js';

/** Only workers with AF_METRICS_PORT and the server serve /metrics. */
const prom = lazyModule<typeof PromClient>('prom-client', import.meta.url);

/** The window of the server's cluster gauges. */
const CLUSTER_WINDOW_MINUTES = 5;

/** Seconds buckets for stage and wait times: CPU stages run in milliseconds, generation in tens of seconds. */
const SECONDS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** Degradation reasons as a bounded label. */
function degradedKind(reason: string): string {
  if (/timed? ?out|timeout/i.test(reason)) return 'timeout';
  if (/offline generator answered/i.test(reason)) return 'fallback';
  if (/research/i.test(reason)) return 'research';
  if (/prompt too long|smaller research|simple tier/i.test(reason)) return 'prompt_too_long';
  return 'other';
}

/**
 * A process's Prometheus series (its own registry, so several pools in one process do not clash):
 * what this process recorded, labelled by stage, tier, model and outcome — bounded sets — and the
 * cluster's queue depths read from Redis at scrape time.
 */
export class PromMetrics {
  private readonly lib = prom();
  readonly registry = new this.lib.Registry();
  private readonly requirements = new this.lib.Counter({ name: 'af_requirements_total', help: 'Requirements finished by this process', labelNames: ['outcome', 'tier', 'model'], registers: [this.registry] });
  private readonly stageSeconds = new this.lib.Histogram({ name: 'af_stage_duration_seconds', help: 'Time a stage ran, per requirement', labelNames: ['stage', 'tier'], buckets: SECONDS, registers: [this.registry] });
  private readonly waitSeconds = new this.lib.Histogram({ name: 'af_stage_wait_seconds', help: 'Time a stage job waited in its queue', labelNames: ['stage'], buckets: SECONDS, registers: [this.registry] });
  private readonly totalSeconds = new this.lib.Histogram({ name: 'af_requirement_duration_seconds', help: 'Enqueued to finished, per completed requirement', labelNames: ['tier'], buckets: SECONDS, registers: [this.registry] });
  private readonly tokens = new this.lib.Counter({ name: 'af_tokens_total', help: 'Tokens by kind (input, output, cache_write, cache_read)', labelNames: ['kind', 'model'], registers: [this.registry] });
  private readonly agentTokens = new this.lib.Histogram({ name: 'af_agent_tokens', help: 'Tokens per agent, every kind', labelNames: ['tier'], buckets: [500, 1000, 2000, 3000, 4000, 5000, 7000, 8000, 12000, 20000], registers: [this.registry] });
  private readonly cost = new this.lib.Counter({ name: 'af_cost_usd_total', help: 'US dollars spent on generation', labelNames: ['model', 'mode'], registers: [this.registry] });
  private readonly retries = new this.lib.Counter({ name: 'af_retries_total', help: 'Stage job retries', registers: [this.registry] });
  private readonly degraded = new this.lib.Counter({ name: 'af_degraded_total', help: 'Degradations by kind', labelNames: ['kind'], registers: [this.registry] });
  private readonly gateFailures = new this.lib.Counter({ name: 'af_gate_failures_total', help: 'Error findings by rule', labelNames: ['rule'], registers: [this.registry] });
  private readonly cached = new this.lib.Counter({ name: 'af_cached_agents_total', help: 'Requirements answered from the finished-agents cache', registers: [this.registry] });

  /**
   * With a connection: the cluster's queue depths at scrape time (the stage queues and `queues`). With
   * `cluster`: also the whole cluster's figures over the last few minutes (the server's view; workers
   * count their own).
   */
  constructor(conn?: FactoryConnection, options: { defaults?: boolean; cluster?: boolean; queues?: readonly Queue[] } = {}) {
    if (options.defaults !== false) this.lib.collectDefaultMetrics({ register: this.registry, prefix: 'af_process_' });
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

  /** Counts one finished requirement. */
  observe(r: RequirementRecord): void {
    const tier = tierLabel(r);
    this.requirements.inc({ outcome: r.outcome, tier, model: r.model ?? 'none' });
    for (const stage of PIPELINE_STAGES) {
      const time = r.stages[stage];
      if (!time) continue;
      this.stageSeconds.observe({ stage, tier }, time.run / 1000);
      this.waitSeconds.observe({ stage }, time.wait / 1000);
    }
    if (r.outcome === 'completed' && r.totalMs !== undefined) this.totalSeconds.observe({ tier }, r.totalMs / 1000);
    if (r.usage && r.model) {
      const model = r.model;
      this.tokens.inc({ kind: 'input', model }, r.usage.input);
      this.tokens.inc({ kind: 'output', model }, r.usage.output);
      this.tokens.inc({ kind: 'cache_write', model }, r.usage.cacheCreation);
      this.tokens.inc({ kind: 'cache_read', model }, r.usage.cacheRead);
      this.agentTokens.observe({ tier }, recordTokens(r));
      this.cost.inc({ model, mode: r.mode ?? 'realtime' }, r.cost);
    }
    if (r.retries > 0) this.retries.inc(r.retries);
    for (const reason of r.degraded) this.degraded.inc({ kind: degradedKind(reason) });
    for (const rule of new Set(r.failingRules)) this.gateFailures.inc({ rule });
    if (r.cachedAgent) this.cached.inc();
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
