import type * as PromClient from 'prom-client';
import { PIPELINE_STAGES, recordTokens, tierLabel, type RequirementRecord } from '@agent-factory/core';

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
 * The requirements one worker process finished, labelled by stage, tier, model and outcome —
 * bounded sets. Only workers have them: a process that finishes none would export zeros that a
 * query summing over every job reads as the cluster's.
 */
export class RequirementSeries {
  private readonly requirements: PromClient.Counter;
  private readonly stageSeconds: PromClient.Histogram;
  private readonly waitSeconds: PromClient.Histogram;
  private readonly totalSeconds: PromClient.Histogram;
  private readonly tokens: PromClient.Counter;
  private readonly agentTokens: PromClient.Histogram;
  private readonly cost: PromClient.Counter;
  private readonly retries: PromClient.Counter;
  private readonly degraded: PromClient.Counter;
  private readonly gateFailures: PromClient.Counter;
  private readonly cached: PromClient.Counter;

  constructor(lib: typeof PromClient, registry: PromClient.Registry) {
    this.requirements = new lib.Counter({ name: 'af_requirements_total', help: 'Requirements finished by this process', labelNames: ['outcome', 'tier', 'model'], registers: [registry] });
    this.stageSeconds = new lib.Histogram({ name: 'af_stage_duration_seconds', help: 'Time a stage ran, per requirement', labelNames: ['stage', 'tier'], buckets: SECONDS, registers: [registry] });
    this.waitSeconds = new lib.Histogram({ name: 'af_stage_wait_seconds', help: 'Time a stage job waited in its queue', labelNames: ['stage'], buckets: SECONDS, registers: [registry] });
    this.totalSeconds = new lib.Histogram({ name: 'af_requirement_duration_seconds', help: 'Enqueued to finished, per completed requirement', labelNames: ['tier'], buckets: SECONDS, registers: [registry] });
    this.tokens = new lib.Counter({ name: 'af_tokens_total', help: 'Tokens by kind (input, output, cache_write, cache_read)', labelNames: ['kind', 'model'], registers: [registry] });
    this.agentTokens = new lib.Histogram({ name: 'af_agent_tokens', help: 'Tokens per agent, every kind', labelNames: ['tier'], buckets: [500, 1000, 2000, 3000, 4000, 5000, 7000, 8000, 12000, 20000], registers: [registry] });
    this.cost = new lib.Counter({ name: 'af_cost_usd_total', help: 'US dollars spent on generation', labelNames: ['model', 'mode'], registers: [registry] });
    this.retries = new lib.Counter({ name: 'af_retries_total', help: 'Stage job retries', registers: [registry] });
    this.degraded = new lib.Counter({ name: 'af_degraded_total', help: 'Degradations by kind', labelNames: ['kind'], registers: [registry] });
    this.gateFailures = new lib.Counter({ name: 'af_gate_failures_total', help: 'Error findings by rule', labelNames: ['rule'], registers: [registry] });
    this.cached = new lib.Counter({ name: 'af_cached_agents_total', help: 'Requirements answered from the finished-agents cache', registers: [registry] });
  }

  /** Counts one finished requirement. */
  observe(r: RequirementRecord): void {
    const tier = tierLabel(r);
    // A spend-only record adds a cancelled requirement's bill: the requirement itself was counted when it ended.
    if (!r.spendOnly) this.requirements.inc({ outcome: r.outcome, tier, model: r.model ?? 'none' });
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
      // Per agent: a failed requirement's billed tokens count above, but it made no agent.
      if (r.outcome === 'completed') this.agentTokens.observe({ tier }, recordTokens(r));
      this.cost.inc({ model, mode: r.mode ?? 'realtime' }, r.cost);
    }
    if (r.retries > 0) this.retries.inc(r.retries);
    for (const reason of r.degraded) this.degraded.inc({ kind: degradedKind(reason) });
    for (const rule of new Set(r.failingRules)) this.gateFailures.inc({ rule });
    if (r.cachedAgent) this.cached.inc();
  }
}
