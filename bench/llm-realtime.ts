/**
 * The two realtime sides of the LLM benchmark, each against the simulator through the real SDK: the
 * naive loop (the seed's "before optimization") and ours (runPipeline with the Anthropic provider).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import Anthropic from '@anthropic-ai/sdk';
import { estimateTokens, planRequirement, researchTargets, runPipeline, type Tier } from '@agent-factory/core';
import { buildPrompt, createAnthropicProvider, prefixVariantFor } from '@agent-factory/llm';
import { LocalDocsSource, type KnowledgeBase } from '@agent-factory/research';
import type { LedgerData, Simulator, TokenCounts } from '@agent-factory/sim';

/** What both sides share: the simulator, the docs, the model (every tier on it) and the requests in flight. */
export interface RealtimeSetup {
  kb: KnowledgeBase;
  apiKey: string;
  model: string;
  maxTokens: number;
  concurrency: number;
}

export const ZERO: TokenCounts = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 };
export const addTokens = (a: TokenCounts, b: TokenCounts): TokenCounts => ({
  input: a.input + b.input,
  output: a.output + b.output,
  cacheCreation: a.cacheCreation + b.cacheCreation,
  cacheRead: a.cacheRead + b.cacheRead,
});
export const sumTokens = (ts: TokenCounts[]): TokenCounts => ts.reduce(addTokens, ZERO);

/** Runs work(0..count-1) with at most `concurrency` in flight, results in input order. */
async function pool<T>(count: number, concurrency: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await work(i);
      }
    }),
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
// Naive baseline: the seed's "before optimization" loop.

export interface NaiveRun {
  seconds: number;
  ledger: LedgerData;
  /** Usage of each request, with the tier our analysis gives the requirement (for grouping only). */
  perRequest: Array<{ tier: Tier; tokens: TokenCounts; researchTokens: number }>;
}

function naivePrompt(requirement: string, research: string): string {
  return [
    'Write a Claude Code sub-agent definition file (Markdown with YAML frontmatter: name, description, tools, model; then the system prompt) for the requirement below.',
    'Use the documentation as reference.',
    '',
    `<documentation>\n${research}\n</documentation>`,
    '',
    `<requirement>\n${requirement}\n</requirement>`,
  ].join('\n');
}

/** One prompt per requirement: full docs answers, no cache_control, no batching, nothing validated or written. */
export async function runNaive(sim: Simulator, requirements: readonly string[], setup: RealtimeSetup): Promise<NaiveRun> {
  sim.ledger.reset();
  sim.clearCache();
  const client = new Anthropic({ apiKey: setup.apiKey, baseURL: sim.url, maxRetries: 0 });
  const docs = new LocalDocsSource({ knowledgeBase: setup.kb });
  const start = performance.now();
  const perRequest = await pool(requirements.length, setup.concurrency, async (i) => {
    const requirement = requirements[i]!;
    // The libraries of the requirement (the same targets our research reads), each queried with the requirement itself.
    const { analysis, complexity } = planRequirement({ requirement });
    const answers = await Promise.all(researchTargets(analysis).map((t) => docs.queryDocs(t.libraryId, requirement)));
    const research = answers.join('\n\n');
    const message = await client.messages.create({ model: setup.model, max_tokens: setup.maxTokens, messages: [{ role: 'user', content: naivePrompt(requirement, research) }] });
    const u = message.usage;
    const tokens = { input: u.input_tokens, output: u.output_tokens, cacheCreation: u.cache_creation_input_tokens ?? 0, cacheRead: u.cache_read_input_tokens ?? 0 };
    return { tier: complexity.tier, tokens, research };
  });
  const seconds = (performance.now() - start) / 1000;
  // Counted after the clock stopped: the tokenizer is not part of what the loop does.
  return { seconds, ledger: sim.ledger.snapshot(), perRequest: perRequest.map((p) => ({ tier: p.tier, tokens: p.tokens, researchTokens: estimateTokens(p.research) })) };
}

// ---------------------------------------------------------------------------------------------
// Ours: runPipeline with the Anthropic provider.

/** Tokens of a first request's prompt by part, by the estimate the simulator bills with. */
export interface PromptParts {
  /** The cached system prefix. */
  prefix: number;
  /** The research block (0 when the requirement has none). */
  research: number;
  /** The per-request task: decided values, analysis, the requirement. */
  task: number;
}

export interface AgentSample {
  tier: Tier;
  tokens: TokenCounts;
  /** runPipeline's wall time for this requirement. */
  wallMs: number;
  /** Time inside the provider's Messages API calls (SDK request to final message), from onRequest. */
  requestMs: number;
  requests: number;
  success: boolean;
  /** What the research stage kept (its own budget). */
  researchTokens: number;
  prompt: PromptParts;
}

export interface OursRun {
  seconds: number;
  ledger: LedgerData;
  samples: AgentSample[];
  /** The provider's recorded usage equals the simulator's ledger. */
  usageMatchesLedger: boolean;
}

/** Attributes each provider request to the requirement whose runPipeline made it. */
const current = new AsyncLocalStorage<{ requestMs: number; requests: number }>();

export async function runOurs(sim: Simulator, requirements: readonly string[], setup: RealtimeSetup): Promise<OursRun> {
  sim.ledger.reset();
  sim.clearCache();
  const { model } = setup;
  const llm = createAnthropicProvider({
    apiKey: setup.apiKey,
    baseURL: sim.url,
    models: { simple: model, standard: model, complex: model },
    maxTokens: setup.maxTokens,
    onRequest: (record) => {
      const slot = current.getStore();
      if (slot) {
        slot.requestMs += record.ms;
        slot.requests++;
      }
    },
  });
  const docs = new LocalDocsSource({ knowledgeBase: setup.kb });
  const start = performance.now();
  const runs = await pool(requirements.length, setup.concurrency, (i) => {
    const slot = { requestMs: 0, requests: 0 };
    return current.run(slot, async () => {
      const t = performance.now();
      const result = await runPipeline({ requirement: requirements[i]! }, { llm, docs });
      return { result, wallMs: performance.now() - t, slot };
    });
  });
  const seconds = (performance.now() - start) / 1000;
  // The prompt's parts, rebuilt after the clock stopped (the same body the provider sent first).
  const variant = prefixVariantFor(model);
  const samples = runs.map(({ result, wallMs, slot }): AgentSample => {
    const { input, output, cacheCreation, cacheRead } = result.usage;
    const prompt = buildPrompt({ ...result.plan, research: result.research }, { variant });
    const blocks = prompt.messages.flatMap((m) => (typeof m.content === 'string' ? [m.content] : m.content.flatMap((b) => (b.type === 'text' ? [b.text] : []))));
    return {
      tier: result.plan.complexity.tier,
      tokens: { input, output, cacheCreation, cacheRead },
      wallMs,
      requestMs: slot.requestMs,
      requests: slot.requests,
      success: result.report.passed && result.degraded.length === 0 && result.generator.provider === 'anthropic',
      researchTokens: result.research.tokens,
      prompt: {
        prefix: estimateTokens(prompt.system[0]?.text ?? ''),
        research: blocks.length > 1 ? estimateTokens(blocks[0]!) : 0,
        task: estimateTokens(blocks.at(-1) ?? ''),
      },
    };
  });
  const ledger = sim.ledger.snapshot();
  const recorded = sumTokens(samples.map((s) => s.tokens));
  const usageMatchesLedger = JSON.stringify(recorded) === JSON.stringify(ledger.tokens.realtime);
  return { seconds, ledger, samples, usageMatchesLedger };
}
