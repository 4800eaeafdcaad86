import { runPipeline, type AgentResult, type DocsSource, type LlmProvider, type ResearchTarget } from '@agent-factory/core';
import { describeError } from '../errors.js';
import { fail, figure, pass, warn, type DoctorCheck } from './check.js';
import { withTimeout } from '../with-timeout.js';

/** A standard-tier requirement with libraries to research, so the sample runs every stage. */
export const DEFAULT_SAMPLE = 'An agent that reviews React and TypeScript pull requests for accessibility and security problems and suggests fixes.';
/** The deployment checklist's limits for one agent. */
export const SAMPLE_MAX_MS = 30_000;
export const SAMPLE_MAX_TOKENS = 7_000;

const NAMES = { gates: 'sample gates', cost: 'sample time and tokens' };

export interface SampleInput {
  requirement: string;
  /** The configured provider; undefined = offline. */
  llm?: LlmProvider;
  docs?: DocsSource;
  extraLibraries: ResearchTarget[];
  timeoutMs: number;
}

/** The 4 gates on the sample: FAIL with the failing rules; WARN when the result is degraded (a fallback, no research). */
export function gatesCheck(result: AgentResult, requirement: string): DoctorCheck {
  const scores = result.report.gates.map((g) => `${g.gate} ${g.score}`).join(', ');
  const failed = result.report.gates.filter((g) => !g.passed);
  if (failed.length > 0) {
    const findings = failed.flatMap((g) => g.findings);
    const errors = findings.filter((f) => f.severity === 'error');
    const rules = [...new Set((errors.length > 0 ? errors : findings).map((f) => f.rule))];
    return fail(NAMES.gates, `${failed.map((g) => g.gate).join(', ')} failed (${scores}); failing rules: ${rules.join(', ') || 'none named'}`, `see every finding: agent-factory generate --dry-run ${JSON.stringify(requirement)}`);
  }
  const { provider, model } = result.generator;
  const what = `agent ${result.name} (${result.plan.complexity.tier}, ${provider === model ? provider : `${provider} ${model}`}): ${scores}`;
  if (result.degraded.length > 0) return warn(NAMES.gates, `${what}, but degraded: ${result.degraded.join('; ')}`, 'see the provider and research source checks');
  return pass(NAMES.gates, what);
}

/** The checklist limits for one agent: FAIL over 30 s or 7,000 tokens, WARN when a stage is over its budget. */
export function costCheck(result: AgentResult, ms: number): DoctorCheck {
  const { budget, timings } = result;
  const figures = `${(ms / 1000).toFixed(1)} s, ${figure(budget.total.tokens)} tokens${budget.exact ? '' : ' (estimated)'}`;
  const limits = `limits ${SAMPLE_MAX_MS / 1000} s and ${figure(SAMPLE_MAX_TOKENS)} tokens`;
  const over = [ms >= SAMPLE_MAX_MS ? 'too slow' : '', budget.total.tokens >= SAMPLE_MAX_TOKENS ? 'too many tokens' : ''].filter(Boolean);
  if (over.length > 0) {
    const stages = `stages: ${Object.entries(timings).map(([s, t]) => `${s} ${figure(Math.round(t))} ms`).join(', ')}; ${Object.entries(budget.stages).map(([s, b]) => `${s} ${figure(b.tokens)}/${figure(b.limit)}`).join(', ')} tokens`;
    return fail(NAMES.cost, `${figures}, ${over.join(' and ')} (${limits}); ${stages}`, 'the slowest stage and the stage over its budget above are where to look (a slow provider, duplicate research)');
  }
  if (budget.over.length > 0) {
    const stages = budget.over.map((s) => `${s} ${figure(budget.stages[s].tokens)}/${figure(budget.stages[s].limit)}`).join(', ');
    return warn(NAMES.cost, `${figures} (${limits}), but over the stage budget in ${stages}`, 'compare the stages with their budgets in agent-factory report');
  }
  return pass(NAMES.cost, `${figures} (${limits})`);
}

/** One agent through the whole pipeline with the configured provider and research, timed. */
export async function sampleChecks(input: SampleInput): Promise<DoctorCheck[]> {
  const started = performance.now();
  let result: AgentResult;
  try {
    // The signal stops a generation in flight; the race also covers research, which takes none.
    const run = runPipeline({ requirement: input.requirement }, { ...(input.llm ? { llm: input.llm } : {}), ...(input.docs ? { docs: input.docs } : {}) }, {
      extraLibraries: input.extraLibraries,
      signal: AbortSignal.timeout(input.timeoutMs),
    });
    result = await withTimeout(run, input.timeoutMs, 'the sample agent');
  } catch (error) {
    const detail = `the sample agent did not finish: ${describeError(error)}`;
    const fix = 'see the provider and research source checks';
    return [fail(NAMES.gates, detail, fix), fail(NAMES.cost, detail, fix)];
  }
  return [gatesCheck(result, input.requirement), costCheck(result, performance.now() - started)];
}
