import { analyze } from './analyze.js';
import { addUsage, billedOf, withBilled } from './billed.js';
import { accountBudget, type Budget } from './budget.js';
import { assessComplexity, type ComplexityOptions } from './complexity.js';
import { offlineProvider } from './generate-offline.js';
import type { DocsSource } from './ports/docs-source.js';
import { isOfflineFallbackError, type BilledUsage, type GenerationOptions, type GenerationResult, type LlmProvider } from './ports/llm-provider.js';
import { research as researchStage, type ResearchTarget } from './research.js';
import type { Analysis } from './schemas/analysis.js';
import type { Complexity } from './schemas/complexity.js';
import type { GateReport } from './schemas/report.js';
import type { Requirement } from './schemas/requirement.js';
import { EMPTY_RESEARCH, type Research } from './schemas/research.js';
import type { ToolPolicy } from './schemas/tools.js';
import type { Usage } from './schemas/usage.js';
import { loadTemplates } from './templates.js';
import { estimateTokens } from './tokens.js';
import { toolPolicy } from './tools-policy.js';
import type { ValidationContext } from './validate/context.js';
import { validateAgent } from './validate/index.js';

/** The output of the analyze stage: everything decided before research. */
export interface Plan {
  analysis: Analysis;
  complexity: Complexity;
  policy: ToolPolicy;
}

/** One finished requirement: the agent file and everything a user may want to know about it. */
export interface AgentResult {
  id?: string;
  name: string;
  content: string;
  plan: Plan;
  research: Research;
  report: GateReport;
  budget: Budget;
  /** Tokens of the kept draft's provider: billed, or the offline generator's estimate when it wrote the file. */
  usage: Usage;
  /** Which provider and generation model wrote the file that was kept. */
  generator: { provider: string; model: string };
  /** When the offline generator's file was kept after LLM attempts: what those billed, at their model (cost is priced from this). */
  billed?: BilledUsage;
  /** Generation attempts (2 when the first draft failed the gates). */
  attempts: number;
  /** Why the result is less than it could be (research missing, fallback generator …). */
  degraded: string[];
  /** Milliseconds per stage. */
  timings: { analyze: number; research: number; generate: number; validate: number };
}

export interface PipelineOptions extends ComplexityOptions {
  /** Research through Context7 adds its MCP tools to agents that research. */
  context7?: boolean;
  /** Research token budget per agent. */
  researchBudget?: number;
  /** Docs always researched besides the requirement's libraries (the user's own, AF_DOCS_DIR). */
  extraLibraries?: ResearchTarget[];
}

export interface PipelineDeps {
  llm?: LlmProvider;
  docs?: DocsSource;
}

/** Analyze stage: analysis, complexity and tools policy from the requirement alone. */
export function planRequirement(input: Requirement, options: PipelineOptions = {}): Plan {
  const analysis = analyze(input.requirement);
  const complexity = assessComplexity(analysis, { ...options, tier: input.tier ?? options.tier, model: input.model ?? options.model });
  return { analysis, complexity, policy: toolPolicy(analysis, { context7: options.context7 }) };
}

/** Research stage: docs for the plan's libraries, or nothing when there is no source. */
export function researchPlan(plan: Plan, docs: DocsSource | undefined, options: PipelineOptions = {}): Promise<Research> {
  return docs ? researchStage(plan.analysis, docs, { budgetTokens: options.researchBudget, extraLibraries: options.extraLibraries }) : Promise.resolve(EMPTY_RESEARCH);
}

const templateTokens = new Map<string, number>();
function templateCost(tier: Complexity['tier']): number {
  let tokens = templateTokens.get(tier);
  if (tokens === undefined) {
    tokens = estimateTokens(loadTemplates().tiers[tier].map((s) => `## ${s.heading}`).join('\n'));
    templateTokens.set(tier, tokens);
  }
  return tokens;
}

/** Tokens of the requirement and the analysis summary that generation reads. */
function analysisTokens(analysis: Analysis): number {
  // One line per field, as a prompt would list them; most lines repeat across requirements and hit the memo.
  const { domains, capabilities, constraints, scale, frameworks, integrations, patterns } = analysis;
  const summary = [
    `domains: ${[domains.primary, ...domains.secondary].map((d) => `${d.name} ${d.confidence.toFixed(2)}`).join(', ')}`,
    `capabilities: ${capabilities.join(', ')}`,
    `constraints: ${constraints.map((c) => c.kind).join(', ')}`,
    `scale: ${scale}`,
    `frameworks: ${frameworks.map((f) => f.libraryId).join(', ')}`,
    `integrations: ${integrations.join(', ')}`,
    `patterns: ${patterns.join(', ')}`,
  ];
  return estimateTokens(analysis.requirement) + estimateTokens(summary.join('\n'));
}

/** What the generate and validate stages decided: the kept draft, its report and what it cost. */
export interface GenerationOutcome {
  draft: GenerationResult;
  provider: string;
  report: GateReport;
  attempts: number;
  /** The kept provider's tokens (an offline draft's own estimate only, never mixed with billed ones). */
  usage: Usage;
  /** What LLM attempts billed when the offline generator's draft was kept. */
  billed?: BilledUsage;
  degraded: string[];
  ms: { generate: number; validate: number };
}

/** What the gates know about a planned agent beyond its text. */
export function validationContext(plan: Plan): ValidationContext {
  return { tier: plan.complexity.tier, keyTerms: plan.analysis.keyTerms, policy: plan.policy, requirement: plan.analysis.requirement };
}

/**
 * The last resort after a provider failed the gates: the offline generator writes the file and the
 * result says so. `previous` carries the failed attempts' bill and times, which still count.
 */
export async function offlineFallback(
  plan: Plan,
  research: Research,
  provider: string,
  previous: { billed?: BilledUsage | undefined; ms: { generate: number; validate: number }; reason?: string; degraded?: string[]; attempts?: number },
): Promise<GenerationOutcome> {
  const ms = { ...previous.ms };
  let t = performance.now();
  const draft = await offlineProvider.generate({ ...plan, research });
  ms.generate += performance.now() - t;
  t = performance.now();
  const report = await validateAgent(draft.content, validationContext(plan));
  ms.validate += performance.now() - t;
  const degraded = [...(previous.degraded ?? []), previous.reason ?? `${provider} output failed validation twice; the offline generator answered`];
  // The bill stays apart from the offline draft's estimated tokens: it is priced at the LLM's model.
  return { draft, provider: offlineProvider.name, report, attempts: previous.attempts ?? 3, usage: draft.usage, ...(previous.billed ? { billed: previous.billed } : {}), degraded, ms };
}

/**
 * Generate and validate stages: a draft from the provider, the four gates, one retry with the
 * findings as guidance, and the offline generator when the provider still fails them.
 */
export async function generateAndValidate(plan: Plan, research: Research, llm: LlmProvider, options: GenerationOptions = {}): Promise<GenerationOutcome> {
  const context = validationContext(plan);
  const ms = { generate: 0, validate: 0 };
  let usage: Usage | undefined;
  const drafts: GenerationResult[] = [];
  let guidance: GateReport['gates'][number]['findings'] | undefined;
  const degraded: string[] = [];
  for (let attempt = 1; attempt <= 2; attempt++) {
    let t = performance.now();
    let draft: GenerationResult;
    try {
      draft = await llm.generate({ ...plan, research, guidance }, options);
    } catch (error) {
      // A provider that cannot answer in time (not one that refused the request): the offline generator does.
      // Refused after a billed first draft: the error carries that draft's bill (an abort's reason, which
      // many generations may share, is left untouched).
      if (!isOfflineFallbackError(error)) throw options.signal?.aborted ? error : withBilled(error, billedOf(drafts));
      ms.generate += performance.now() - t;
      const timedOut = error.usage ? [{ content: '', usage: error.usage, model: error.model ?? drafts.at(-1)?.model ?? 'offline' }] : [];
      const reason = `${llm.name}: ${error.message}; the offline generator answered`;
      return offlineFallback(plan, research, llm.name, { billed: billedOf([...drafts, ...timedOut]), ms, degraded, attempts: attempt + 1, reason });
    }
    ms.generate += performance.now() - t;
    usage = usage ? addUsage(usage, draft.usage) : draft.usage;
    drafts.push(draft);
    degraded.push(...(draft.degraded ?? []));
    t = performance.now();
    const report = await validateAgent(draft.content, context);
    ms.validate += performance.now() - t;
    if (report.passed) return { draft, provider: llm.name, report, attempts: attempt, usage, degraded, ms };
    guidance = report.gates.flatMap((g) => g.findings);
    if (llm === offlineProvider) break;
  }
  // The provider failed the gates twice: the offline generator answers and the result says so.
  return offlineFallback(plan, research, llm.name, { billed: billedOf(drafts), ms, degraded });
}

/**
 * The finished requirement from its stage outputs: token budget, agent name and timings. Shared by
 * the in-process pipeline and the queue's validate stage, so both report the same figures.
 */
export function assembleResult(
  input: Pick<Requirement, 'id'>,
  plan: Plan,
  research: Research,
  out: GenerationOutcome,
  ms: { analyze: number; research: number },
): AgentResult {
  const findings = out.report.gates.flatMap((g) => g.findings);
  const budget = accountBudget(
    {
      analysis: analysisTokens(plan.analysis),
      research: research.tokens,
      template: templateCost(plan.complexity.tier),
      generation: out.usage.output,
      validation: findings.length === 0 ? 0 : estimateTokens(findings.map((f) => `${f.rule} ${f.message}`).join('\n')),
    },
    { exact: !out.usage.estimated },
  );
  const name = /^name:\s*(\S+)/m.exec(out.draft.content)?.[1] ?? 'agent';
  return {
    ...(input.id !== undefined ? { id: input.id } : {}),
    name,
    content: out.draft.content,
    plan,
    research,
    report: out.report,
    budget,
    usage: out.usage,
    generator: { provider: out.provider, model: out.draft.model },
    ...(out.billed ? { billed: out.billed } : {}),
    attempts: out.attempts,
    // The kept draft's own degradations too: the queue builds its outcome without reading them.
    degraded: [...new Set([...research.degraded, ...(out.draft.degraded ?? []), ...out.degraded])],
    timings: { analyze: ms.analyze, research: ms.research, ...out.ms },
  };
}

/** The whole pipeline in-process for one requirement: analyze → research → generate → validate. */
export async function runPipeline(input: Requirement, deps: PipelineDeps = {}, options: PipelineOptions & GenerationOptions = {}): Promise<AgentResult> {
  let t = performance.now();
  const plan = planRequirement(input, options);
  const analyzeMs = performance.now() - t;
  t = performance.now();
  const research = await researchPlan(plan, deps.docs, options);
  const researchMs = performance.now() - t;
  const out = await generateAndValidate(plan, research, deps.llm ?? offlineProvider, options);
  return assembleResult(input, plan, research, out, { analyze: analyzeMs, research: researchMs });
}
