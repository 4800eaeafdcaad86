import { BUDGET_STAGES, type AgentResult, type Finding, type PipelineStage, type RequirementRecord, type RequirementRecordInput, type Tier } from '@agent-factory/core';
import { billedSpend, resultCostUsd, type DraftsSpend, type ModelPrice } from '@agent-factory/llm/costs';
import { BATCH_PROVIDER } from '../batch-mode/context.js';
import type { JobTiming } from '../processors/context.js';
import type { PlanOutput } from '../processors/outputs.js';
import type { StageJobData } from '../queues.js';
import type { StoredResult } from '../result-codec.js';

/** Queue wait and run time of one stage, ms. */
export interface StageTime {
  wait: number;
  run: number;
}

export interface CompletedContext {
  batch: string;
  key: string;
  /** When the requirement was enqueued (its analyze job's timestamp), epoch ms. */
  enqueuedAt?: number;
  stages: Partial<Record<PipelineStage, StageTime>>;
  retries: number;
  /** The provider that wrote the kept draft (`anthropic-batch` for a Message Batch). */
  provider: string;
  /** The first draft's findings when it failed the gates. */
  firstFindings?: readonly Finding[];
  /** Dollars of this run (resultDollars, computed once by the caller, which also shows them); null when unpriced. */
  cost: number | null;
  prices?: Readonly<Record<string, ModelPrice>>;
  now?: number;
}

/** Dollars for a result; null for a model without a price (its record then counts no cost rather than failing). */
export function resultDollars(result: AgentResult, batch: boolean, prices?: Readonly<Record<string, ModelPrice>>): number | null {
  return resultCostUsd(result, { batch, ...(prices ? { prices } : {}) });
}

const errorRules = (findings: readonly Finding[]): string[] => findings.filter((f) => f.severity === 'error').map((f) => f.rule);

/** The metrics record of a finished agent, whole: every field the schema defaults is set here (builtPayload). */
export function completedRecord(result: AgentResult, c: CompletedContext): RequirementRecord {
  const now = c.now ?? Date.now();
  const batch = c.provider === BATCH_PROVIDER;
  // Model, mode, usage and cost say what was billed: after an offline fallback, the LLM attempts'
  // (the fallback itself shows in degraded); a purely offline result bills nothing, its tokens estimated.
  const spend = billedSpend(result);
  const offline = spend === undefined;
  const ids = result.research.libraries.map((l) => l.libraryId);
  return {
    at: now,
    batch: c.batch,
    key: c.key,
    outcome: 'completed',
    tier: result.plan.complexity.tier,
    complexity: result.plan.complexity.score,
    model: spend?.model ?? result.generator.model,
    mode: offline ? 'offline' : batch ? 'batch' : 'realtime',
    ...(c.enqueuedAt !== undefined ? { totalMs: Math.max(0, now - c.enqueuedAt) } : {}),
    stages: c.stages,
    budget: Object.fromEntries(BUDGET_STAGES.map((s) => [s, result.budget.stages[s].tokens])),
    usage: spend?.usage ?? result.usage,
    cost: c.cost ?? 0,
    // What the same tokens cost at realtime prices: the cost itself unless the draft came from a Message Batch.
    realtimeCost: (batch ? resultDollars(result, false, c.prices) : c.cost) ?? 0,
    spendOnly: false,
    cachedAgent: false,
    research: { lookups: result.research.lookups ?? result.research.calls, calls: result.research.calls, tokens: result.research.tokens, duplicates: ids.length - new Set(ids).size },
    retries: c.retries,
    attempts: result.attempts,
    degraded: result.degraded,
    gates: Object.fromEntries(result.report.gates.map((g) => [g.gate, g.score])),
    failingRules: [...errorRules(c.firstFindings ?? []), ...errorRules(result.report.gates.flatMap((g) => g.findings))],
  };
}

/** The tier of the plan, when the requirement got that far. */
function tierOf(plan: PlanOutput | undefined): { tier?: Tier; complexity?: number } {
  const c = plan?.plan.complexity;
  return { ...(c?.tier ? { tier: c.tier } : {}), ...(c?.score !== undefined ? { complexity: c.score } : {}) };
}

/** The usage, model, mode and cost of what its drafts were billed, as a completed record carries them. */
function spendOf(spend: DraftsSpend | undefined): Partial<RequirementRecordInput> {
  if (!spend) return {};
  return { model: spend.model, mode: spend.batch ? 'batch' : 'realtime', usage: spend.usage, cost: spend.costUsd ?? 0, realtimeCost: spend.realtimeCostUsd ?? 0 };
}

/** The metrics record of a requirement that failed for good, with what its drafts were billed (the report's spend counts it). */
export function failedRecord(data: StageJobData, reason: string, plan: PlanOutput | undefined, retries: number, spend?: DraftsSpend): RequirementRecordInput {
  return { at: Date.now(), batch: data.b, key: data.k, outcome: 'failed', error: reason, retries, ...tierOf(plan), ...spendOf(spend) };
}

/**
 * The spend-only metrics record of a cancelled requirement's billed drafts: its tokens and cost count
 * (report, Prometheus), while the requirement was counted once already, as cancelled.
 */
export function cancelledSpendRecord(data: StageJobData, spend: DraftsSpend): RequirementRecordInput {
  return { at: Date.now(), batch: data.b, key: data.k, outcome: 'cancelled', spendOnly: true, ...spendOf(spend) };
}

/** The metrics record of a requirement answered from the finished-agents cache. */
export function cachedRecord(data: StageJobData, stored: StoredResult, timing: JobTiming): RequirementRecordInput {
  const tier = stored.t === 'simple' || stored.t === 'standard' || stored.t === 'complex' ? stored.t : undefined;
  return {
    at: Date.now(),
    batch: data.b,
    key: data.k,
    outcome: 'completed',
    ...(tier ? { tier } : {}),
    ...(stored.x !== undefined ? { complexity: stored.x } : {}),
    totalMs: Math.max(0, Date.now() - timing.enqueuedAt),
    stages: { analyze: { wait: timing.wait, run: 0 } },
    cachedAgent: true,
    ...(stored.u ? { cachedTokens: stored.u.reduce((a, b) => a + b, 0) } : {}),
    ...(stored.g ? { gates: stored.g } : {}),
  };
}
