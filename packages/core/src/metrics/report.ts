import { BUDGET_STAGES, DEFAULT_BUDGETS, type BudgetStage } from '../budget.js';
import { MICRO, OVER_TOKENS, USAGE_KINDS } from './aggregate.js';
import { histogramQuantile } from './histogram.js';
import { PIPELINE_STAGES, recordTokens, type PipelineStage, type RequirementRecord } from './record.js';

/** successRate: the share of the tier's finished requirements that completed clean (gates passed, nothing degraded, no failing rule). */
export interface TierRow { tier: string; count: number; completed: number; complexityAvg: number; timeAvgMs: number; timeP95Ms: number | undefined; tokensAvg: number; successRate: number }
export interface StageRow { stage: PipelineStage; count: number; waitAvgMs: number; waitP95Ms: number | undefined; runAvgMs: number; runP95Ms: number | undefined }
export interface BudgetRow { stage: BudgetStage; tokensAvg: number; limit: number; usedShare: number }
export interface UsageRow { model: string; mode: string; agents: number; input: number; output: number; cacheWrite: number; cacheRead: number; cost: number; costPer1000: number }
/** before and avoided are null when nothing recorded says what was avoided (never a made-up 0). */
export interface OptimizationRow { technique: string; unit: 'tokens' | 'USD' | 'calls'; before: number | null; after: number; avoided: number | null; note: string }
export interface CountRow { name: string; count: number }

export interface MetricsReport {
  window: { from: number; to: number; batch?: string };
  totals: {
    finished: number; completed: number; failed: number; cancelled: number; successRate: number; perMinute: number;
    /** Enqueued to finished (queue waits included: with a batch queued at once, about the batch's duration). */
    timeP95Ms: number | undefined;
    /** The stages' run time per requirement, queue waits excluded, of those generated in realtime or offline. */
    processingP95Ms: number | undefined;
    tokensPerAgent: number; errorRate: number;
  };
  tiers: TierRow[];
  stages: StageRow[];
  budget: BudgetRow[];
  usage: UsageRow[];
  cost: { total: number; realtimeEquivalent: number; per1000: number; monthlyProjection: number };
  optimizations: OptimizationRow[];
  errors: CountRow[];
  troubleshooting: {
    overTokens: number;
    overTokensExamples: { batch?: string; key?: string; tokens: number; why: string }[];
    timeouts: number;
    fallbacks: number;
    researchDegraded: number;
    retries: number;
    degraded: number;
    gateFailures: CountRow[];
  };
  research: { lookups: number; calls: number; cacheHitRate: number; tokensAvg: number; duplicates: number };
}

/** Cluster-wide cache counters (since they were last cleared) that the window's counters lack. */
export interface CacheFigures {
  analysisHits?: number;
}

export interface BuildReportOptions {
  window: { from: number; to: number; batch?: string };
  /** The capped recent log, for examples (newest first). */
  recent?: readonly RequirementRecord[];
  cache?: CacheFigures;
}

const DAY_MS = 24 * 3600 * 1000;
const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** Why an agent ran past OVER_TOKENS, from what its record shows. */
function overTokensWhy(r: RequirementRecord): string {
  const why: string[] = [];
  if (r.research && r.research.duplicates > 0) why.push(`duplicate research (${r.research.duplicates} repeated look-ups)`);
  if ((r.budget.research ?? 0) > DEFAULT_BUDGETS.research) why.push(`research ${r.budget.research} tokens over its ${DEFAULT_BUDGETS.research} budget`);
  if ((r.attempts ?? 1) > 1) why.push(`${r.attempts} generation attempts (the first draft failed the gates)`);
  if ((r.usage?.cacheRead ?? 0) > 0) why.push(`${r.usage?.cacheRead} of them cache reads (billed at 10%)`);
  return why.length > 0 ? why.join('; ') : 'a long generation';
}

function tierRows(f: ReadonlyMap<string, number>): TierRow[] {
  const tiers = [...new Set([...f.keys()].filter((k) => k.startsWith('t|')).map((k) => k.split('|')[1]!))];
  const order = ['simple', 'standard', 'complex', 'unknown'];
  return tiers
    .sort((a, b) => order.indexOf(a) - order.indexOf(b))
    .map((tier) => {
      const g = (c: string): number => f.get(`t|${tier}|${c}`) ?? 0;
      const done = g('done');
      return {
        tier, count: g('n'), completed: done,
        complexityAvg: ratio(g('cx'), done * 100),
        timeAvgMs: ratio(g('ms'), done),
        timeP95Ms: histogramQuantile(f, `t|${tier}|h`, 0.95),
        tokensAvg: ratio(g('tok'), done),
        successRate: ratio(g('ok'), g('n')),
      };
    });
}

function usageRows(f: ReadonlyMap<string, number>): UsageRow[] {
  const groups = [...new Set([...f.keys()].filter((k) => k.startsWith('u|')).map((k) => k.split('|').slice(1, 3).join('|')))];
  return groups.sort().map((group) => {
    const g = (c: string): number => f.get(`u|${group}|${c}`) ?? 0;
    const [model, mode] = group.split('|') as [string, string];
    const agents = g('n');
    const cost = g('cost') / MICRO;
    return { model, mode, agents, input: g(USAGE_KINDS.input), output: g(USAGE_KINDS.output), cacheWrite: g(USAGE_KINDS.cacheCreation), cacheRead: g(USAGE_KINDS.cacheRead), cost, costPer1000: ratio(cost * 1000, agents) };
  });
}

function optimizationRows(f: ReadonlyMap<string, number>, usage: readonly UsageRow[], tiers: readonly TierRow[], cache: CacheFigures = {}): OptimizationRow[] {
  const rows: OptimizationRow[] = [];
  const cw = usage.reduce((s, u) => s + u.cacheWrite, 0);
  const cr = usage.reduce((s, u) => s + u.cacheRead, 0);
  const uncached = usage.reduce((s, u) => s + u.input, 0);
  // Billed-equivalent input tokens: what the prompt would have cost without cache_control vs with it.
  const before = uncached + cw + cr;
  const after = uncached + cw * 1.25 + cr * 0.1;
  rows.push({ technique: 'prompt caching', unit: 'tokens', before, after, avoided: before - after, note: 'input tokens, billed-equivalent (cache write ×1.25, read ×0.1)' });
  const realtime = usage.reduce((s, u) => s + (f.get(`u|${u.model}|${u.mode}|rtcost`) ?? 0) / MICRO, 0);
  const cost = usage.reduce((s, u) => s + u.cost, 0);
  rows.push({ technique: 'batch mode', unit: 'USD', before: realtime, after: cost, avoided: realtime - cost, note: 'the same usage at realtime prices vs what was paid' });
  rows.push(agentCacheRow(f, tiers));
  const lookups = f.get('r|lookups') ?? 0;
  const calls = f.get('r|calls') ?? 0;
  rows.push({ technique: 'research cache and de-duplicated look-ups', unit: 'calls', before: lookups, after: calls, avoided: lookups - calls, note: 'docs look-ups (naive: one call each) vs calls that reached the source; single-flight makes one call per (library, topic) cluster-wide' });
  if (cache.analysisHits !== undefined) {
    const analysisAvg = ratio(f.get('b|analysis') ?? 0, f.get('b|n') ?? 0);
    rows.push({ technique: 'domain analysis cache', unit: 'tokens', before: cache.analysisHits * analysisAvg, after: 0, avoided: cache.analysisHits * analysisAvg, note: `${cache.analysisHits} analyses reused × ${Math.round(analysisAvg)} tokens (cluster counters)` });
  }
  return rows;
}

/**
 * What the finished-agents cache avoided: each reused agent at the tokens it took when it was
 * generated (its cache copy keeps them); for an answer whose record lacks them (recorded by an
 * older worker), the window's mean per generated agent, or unknown when the window generated none.
 */
function agentCacheRow(f: ReadonlyMap<string, number>, tiers: readonly TierRow[]): OptimizationRow {
  const cached = f.get('cache|agents') ?? 0;
  const known = f.get('cache|agents|known') ?? 0;
  const generated = tiers.reduce((s, t) => s + t.completed, 0) - cached;
  // Cached answers bill no usage: the tiers' tokens are the generated agents' alone.
  const after = tiers.reduce((s, t) => s + t.tokensAvg * t.completed, 0);
  const rest = cached - known;
  const restTokens = rest === 0 ? 0 : generated > 0 ? (rest * after) / generated : undefined;
  const avoided = restTokens === undefined ? null : (f.get('cache|agents|tok') ?? 0) + restTokens;
  const how = [
    ...(known > 0 ? [`${known} at the tokens each took when generated`] : []),
    ...(rest > 0 ? [restTokens === undefined ? `${rest} unknown (recorded without their tokens, and nothing generated here to estimate from)` : `${rest} at the mean tokens per generated agent here`] : []),
  ];
  return { technique: 'finished-agent cache', unit: 'tokens', before: avoided === null ? null : after + avoided, after, avoided, note: `${cached} agents reused${how.length > 0 ? `: ${how.join('; ')}` : ''}` };
}

function topCounts(f: ReadonlyMap<string, number>, prefix: string, limit: number): CountRow[] {
  return [...f.entries()]
    .filter(([k]) => k.startsWith(prefix))
    .map(([k, count]) => ({ name: k.slice(prefix.length), count }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
    .slice(0, limit);
}

/** The performance, token and cost report of a window (or a batch) from its aggregated counters. */
export function buildReport(fields: ReadonlyMap<string, number>, options: BuildReportOptions): MetricsReport {
  const f = fields;
  const n = f.get('n') ?? 0;
  const completed = f.get('o|completed') ?? 0;
  const failed = f.get('o|failed') ?? 0;
  const tiers = tierRows(f);
  const usage = usageRows(f);
  const spanMs = Math.max(options.window.to - options.window.from, 1);
  const cost = usage.reduce((s, u) => s + u.cost, 0);
  const realtimeEquivalent = usage.reduce((s, u) => s + (f.get(`u|${u.model}|${u.mode}|rtcost`) ?? 0) / MICRO, 0);
  const tokens = tiers.reduce((s, t) => s + t.tokensAvg * t.completed, 0);
  const budgetCount = f.get('b|n') ?? 0;
  const recent = options.recent ?? [];
  return {
    window: options.window,
    totals: {
      finished: n, completed, failed, cancelled: f.get('o|cancelled') ?? 0,
      successRate: ratio(tiers.reduce((s, t) => s + t.successRate * t.count, 0), completed + failed),
      perMinute: ratio(completed * 60_000, spanMs),
      timeP95Ms: histogramQuantile(f, 'all|h', 0.95),
      processingP95Ms: histogramQuantile(f, 'all|p', 0.95),
      tokensPerAgent: ratio(tokens, completed),
      errorRate: ratio(failed, completed + failed),
    },
    tiers,
    stages: PIPELINE_STAGES.filter((s) => (f.get(`s|${s}|n`) ?? 0) > 0).map((stage) => {
      const count = f.get(`s|${stage}|n`) ?? 0;
      return {
        stage, count,
        waitAvgMs: ratio(f.get(`s|${stage}|wait`) ?? 0, count), waitP95Ms: histogramQuantile(f, `s|${stage}|w`, 0.95),
        runAvgMs: ratio(f.get(`s|${stage}|run`) ?? 0, count), runP95Ms: histogramQuantile(f, `s|${stage}|h`, 0.95),
      };
    }),
    budget: BUDGET_STAGES.map((stage) => {
      const tokensAvg = ratio(f.get(`b|${stage}`) ?? 0, budgetCount);
      return { stage, tokensAvg, limit: DEFAULT_BUDGETS[stage], usedShare: tokensAvg / DEFAULT_BUDGETS[stage] };
    }),
    usage,
    cost: { total: cost, realtimeEquivalent, per1000: ratio(cost * 1000, usage.reduce((s, u) => s + u.agents, 0)), monthlyProjection: (cost * 30 * DAY_MS) / spanMs },
    optimizations: optimizationRows(f, usage, tiers, options.cache),
    errors: topCounts(f, 'err|', 5),
    troubleshooting: {
      overTokens: f.get('over') ?? 0,
      overTokensExamples: recent.filter((r) => r.outcome === 'completed' && recordTokens(r) > OVER_TOKENS).slice(0, 5).map((r) => ({ ...(r.batch ? { batch: r.batch } : {}), ...(r.key ? { key: r.key } : {}), tokens: recordTokens(r), why: overTokensWhy(r) })),
      timeouts: f.get('deg|timeout') ?? 0,
      fallbacks: f.get('deg|fallback') ?? 0,
      researchDegraded: f.get('deg|research') ?? 0,
      retries: f.get('retries') ?? 0,
      degraded: f.get('deg') ?? 0,
      gateFailures: topCounts(f, 'rule|', 20),
    },
    research: {
      lookups: f.get('r|lookups') ?? 0,
      calls: f.get('r|calls') ?? 0,
      cacheHitRate: ratio((f.get('r|lookups') ?? 0) - (f.get('r|calls') ?? 0), f.get('r|lookups') ?? 0),
      tokensAvg: ratio(f.get('r|tokens') ?? 0, f.get('r|n') ?? 0),
      duplicates: f.get('r|dup') ?? 0,
    },
  };
}
