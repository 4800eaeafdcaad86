/**
 * LLM generation against the Messages API simulator, everything in this process and on loopback,
 * through the real @anthropic-ai/sdk:
 * 1. tokens by kind, cost per 1,000 agents and throughput of ours (runPipeline with the Anthropic
 *    provider: cached prompt prefix, compressed research) against a naive loop (one uncached prompt
 *    per requirement with the full docs answers), on the same 1,000-requirement batch;
 * 2. with the simulator's latency on: LLM-bound concurrency efficiency, the non-LLM overhead per
 *    agent, and the seed's benchmark table by tier.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import { estimateTokens, planRequirement, researchTargets, runPipeline, type Tier } from '@agent-factory/core';
import { costOf, createAnthropicProvider, prefixReport } from '@agent-factory/llm';
import { LocalDocsSource, readKnowledgeBase, type KnowledgeBase } from '@agent-factory/research';
import { startSimulator, type LedgerData, type Simulator, type TokenCounts } from '@agent-factory/sim';
import { machine, writeSection } from './benchmarks-md.js';
import { mark } from './harness.js';
import { median, percentile, spread } from './stats.js';
import { syntheticRequirements } from './synthetic.js';

const N = Number(process.env['BENCH_LLM_N'] ?? 1000);
const RUNS = Number(process.env['BENCH_LLM_RUNS'] ?? 3);
const SEED = 42;
const CONCURRENCY = 16;
/** Every tier generates with Sonnet 4.6 so both sides pay the same prices. */
const MODEL = 'claude-sonnet-4-6';
const MAX_TOKENS = 8192;
/** The LLM-bound part: the first LATENCY_N requirements of the same batch, with the simulator's latency on. */
const LATENCY_N = Number(process.env['BENCH_LLM_LATENCY_N'] ?? 200);
const TTFT_MS = 300;
const TOKENS_PER_SECOND = 400;
const TARGET = { standardTokens: 2500, batchUsdPer1000: 12, efficiency: 0.9, overheadP95Ms: 15 } as const;
const TIERS: Tier[] = ['simple', 'standard', 'complex'];
const API_KEY = 'sk-bench-simulator';

const ZERO: TokenCounts = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 };
const add = (a: TokenCounts, b: TokenCounts): TokenCounts => ({
  input: a.input + b.input,
  output: a.output + b.output,
  cacheCreation: a.cacheCreation + b.cacheCreation,
  cacheRead: a.cacheRead + b.cacheRead,
});
const scale = (t: TokenCounts, k: number): TokenCounts => ({ input: t.input * k, output: t.output * k, cacheCreation: t.cacheCreation * k, cacheRead: t.cacheRead * k });
const rawTotal = (t: TokenCounts): number => t.input + t.output + t.cacheCreation + t.cacheRead;
/** Cache writes count 1.25, cache reads 0.1 (their share of the input price), everything else 1. */
const billedTotal = (t: TokenCounts): number => t.input + t.output + 1.25 * t.cacheCreation + 0.1 * t.cacheRead;
const usd = (t: TokenCounts, batch = false): number => costOf({ ...t }, MODEL, { batch });
const sumOf = (ts: TokenCounts[]): TokenCounts => ts.reduce(add, ZERO);

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

interface NaiveRun {
  seconds: number;
  ledger: LedgerData;
  /** Usage of each request, with the tier our analysis gives the requirement (for grouping only). */
  perRequest: Array<{ tier: Tier; tokens: TokenCounts; researchChars: string }>;
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
async function runNaive(sim: Simulator, requirements: string[], kb: KnowledgeBase): Promise<NaiveRun> {
  sim.ledger.reset();
  sim.clearCache();
  const client = new Anthropic({ apiKey: API_KEY, baseURL: sim.url, maxRetries: 0 });
  const docs = new LocalDocsSource({ knowledgeBase: kb });
  const start = performance.now();
  const perRequest = await pool(requirements.length, CONCURRENCY, async (i) => {
    const requirement = requirements[i]!;
    // The libraries of the requirement (the same targets our research reads), each queried with the requirement itself.
    const { analysis, complexity } = planRequirement({ requirement });
    const answers = await Promise.all(researchTargets(analysis).map((t) => docs.queryDocs(t.libraryId, requirement)));
    const research = answers.join('\n\n');
    const message = await client.messages.create({ model: MODEL, max_tokens: MAX_TOKENS, messages: [{ role: 'user', content: naivePrompt(requirement, research) }] });
    const u = message.usage;
    const tokens = { input: u.input_tokens, output: u.output_tokens, cacheCreation: u.cache_creation_input_tokens ?? 0, cacheRead: u.cache_read_input_tokens ?? 0 };
    return { tier: complexity.tier, tokens, researchChars: research };
  });
  const seconds = (performance.now() - start) / 1000;
  return { seconds, ledger: sim.ledger.snapshot(), perRequest };
}

// ---------------------------------------------------------------------------------------------
// Ours: runPipeline with the Anthropic provider.

interface AgentSample {
  tier: Tier;
  tokens: TokenCounts;
  /** runPipeline's wall time for this requirement. */
  wallMs: number;
  /** Time inside the provider's Messages API calls (SDK request to final message), from onRequest. */
  requestMs: number;
  requests: number;
  success: boolean;
  researchTokens: number;
}

interface OursRun {
  seconds: number;
  ledger: LedgerData;
  samples: AgentSample[];
  /** The provider's recorded usage equals the simulator's ledger. */
  usageMatchesLedger: boolean;
}

/** Attributes each provider request to the requirement whose runPipeline made it. */
const current = new AsyncLocalStorage<{ requestMs: number; requests: number }>();

async function runOurs(sim: Simulator, requirements: string[], kb: KnowledgeBase): Promise<OursRun> {
  sim.ledger.reset();
  sim.clearCache();
  const llm = createAnthropicProvider({
    apiKey: API_KEY,
    baseURL: sim.url,
    models: { simple: MODEL, standard: MODEL, complex: MODEL },
    maxTokens: MAX_TOKENS,
    onRequest: (record) => {
      const slot = current.getStore();
      if (slot) {
        slot.requestMs += record.ms;
        slot.requests++;
      }
    },
  });
  const docs = new LocalDocsSource({ knowledgeBase: kb });
  const start = performance.now();
  const samples = await pool(requirements.length, CONCURRENCY, (i) => {
    const slot = { requestMs: 0, requests: 0 };
    return current.run(slot, async (): Promise<AgentSample> => {
      const t = performance.now();
      const result = await runPipeline({ requirement: requirements[i]! }, { llm, docs });
      const wallMs = performance.now() - t;
      const { input, output, cacheCreation, cacheRead } = result.usage;
      return {
        tier: result.plan.complexity.tier,
        tokens: { input, output, cacheCreation, cacheRead },
        wallMs,
        requestMs: slot.requestMs,
        requests: slot.requests,
        success: result.report.passed && result.degraded.length === 0 && result.generator.provider === 'anthropic',
        researchTokens: result.research.tokens,
      };
    });
  });
  const seconds = (performance.now() - start) / 1000;
  const ledger = sim.ledger.snapshot();
  const recorded = sumOf(samples.map((s) => s.tokens));
  const usageMatchesLedger = JSON.stringify(recorded) === JSON.stringify(ledger.tokens.realtime);
  return { seconds, ledger, samples, usageMatchesLedger };
}

// ---------------------------------------------------------------------------------------------
// Figures of one run of each side.

interface SideFigures {
  rate: number;
  perAgent: TokenCounts;
  perStandard: TokenCounts;
  realtimeUsd: number;
  batchUsd: number;
  researchTokens: number;
}

function figures(n: number, seconds: number, ledger: LedgerData, perItem: Array<{ tier: Tier; tokens: TokenCounts }>, researchTokens: number): SideFigures {
  const total = ledger.tokens.realtime;
  const standard = perItem.filter((s) => s.tier === 'standard');
  return {
    rate: n / seconds,
    perAgent: scale(total, 1 / n),
    perStandard: scale(sumOf(standard.map((s) => s.tokens)), 1 / Math.max(1, standard.length)),
    realtimeUsd: (usd(total) * 1000) / n,
    batchUsd: (usd(total, true) * 1000) / n,
    researchTokens,
  };
}

const medianOf = <T>(runs: T[], pick: (r: T) => number): number => median(runs.map(pick));
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const dollars = (n: number): string => `$${n.toFixed(2)}`;

// ---------------------------------------------------------------------------------------------

const began = performance.now();
const sdkVersion = (JSON.parse(readFileSync(new URL('../node_modules/@anthropic-ai/sdk/package.json', import.meta.url), 'utf8')) as { version: string }).version;
const kb = readKnowledgeBase();
const requirements = syntheticRequirements(N, SEED);
const prefix = prefixReport([MODEL])[0]!;

const sim = await startSimulator({ seed: 1 });
const naiveRuns: SideFigures[] = [];
const oursRuns: SideFigures[] = [];
const ourMatches: boolean[] = [];
let lastOurs: OursRun | undefined;
try {
  // Warm-up (JIT, SDK, templates) on other requirements; not measured.
  const warm = syntheticRequirements(300, 7);
  await runNaive(sim, warm, kb);
  await runOurs(sim, warm, kb);
  for (let run = 0; run < RUNS; run++) {
    const order = run % 2 === 0 ? (['naive', 'ours'] as const) : (['ours', 'naive'] as const);
    for (const side of order) {
      if (side === 'naive') {
        const r = await runNaive(sim, requirements, kb);
        const research = r.perRequest.reduce((s, p) => s + estimateTokens(p.researchChars), 0) / N;
        naiveRuns.push(figures(N, r.seconds, r.ledger, r.perRequest, research));
      } else {
        const r = await runOurs(sim, requirements, kb);
        lastOurs = r;
        ourMatches.push(r.usageMatchesLedger);
        oursRuns.push(figures(N, r.seconds, r.ledger, r.samples, r.samples.reduce((s, a) => s + a.researchTokens, 0) / N));
      }
    }
    process.stderr.write(`run ${run + 1}/${RUNS}: naive ${naiveRuns.at(-1)!.rate.toFixed(0)}/s ${dollars(naiveRuns.at(-1)!.realtimeUsd)}; ours ${oursRuns.at(-1)!.rate.toFixed(0)}/s ${dollars(oursRuns.at(-1)!.realtimeUsd)} (${((performance.now() - began) / 1000).toFixed(0)} s)\n`);
  }
} finally {
  await sim.close();
}

// LLM-bound: the simulator answers at TTFT + output / tokens-per-second. Each paced reply waits on the
// simulator's one closing signal; with 16 in flight that is past Node's default of 10 listeners (benign).
setMaxListeners(4 * CONCURRENCY);
const latencySim = await startSimulator({ seed: 1, ttftMs: TTFT_MS, tokensPerSecond: TOKENS_PER_SECOND });
interface LatencyRun {
  rate: number;
  ceiling: number;
  efficiency: number;
  meanLlmMs: number;
  overheadP95: number;
  overheadP50: number;
  lateMax: number;
  samples: AgentSample[];
}
const latencyRuns: LatencyRun[] = [];
try {
  const subset = requirements.slice(0, LATENCY_N);
  for (let run = 0; run < RUNS; run++) {
    const r = await runOurs(latencySim, subset, kb);
    const rate = LATENCY_N / r.seconds;
    // Simulated LLM time per agent: TTFT per request plus its output at the set speed.
    const meanLlmMs = (r.ledger.messages.realtime * TTFT_MS + (r.ledger.tokens.realtime.output / TOKENS_PER_SECOND) * 1000) / LATENCY_N;
    const ceiling = CONCURRENCY / (meanLlmMs / 1000);
    const overhead = r.samples.map((s) => s.wallMs - s.requestMs);
    latencyRuns.push({
      rate,
      ceiling,
      efficiency: rate / ceiling,
      meanLlmMs,
      overheadP95: percentile(overhead, 95),
      overheadP50: percentile(overhead, 50),
      lateMax: r.ledger.pacing.lateMsMax,
      samples: r.samples,
    });
    process.stderr.write(`latency run ${run + 1}/${RUNS}: ${rate.toFixed(2)} agents/s, ceiling ${ceiling.toFixed(2)}, efficiency ${(rate / ceiling).toFixed(3)}, overhead p95 ${percentile(overhead, 95).toFixed(1)} ms\n`);
  }
} finally {
  await latencySim.close();
}

// ---------------------------------------------------------------------------------------------
// The section.

const tierCounts = Object.fromEntries(TIERS.map((t) => [t, lastOurs?.samples.filter((s) => s.tier === t).length ?? 0]));
const nStandard = tierCounts['standard'] ?? 0;
const kinds: Array<[keyof TokenCounts, string]> = [['input', 'input (uncached)'], ['cacheCreation', 'cache write'], ['cacheRead', 'cache read'], ['output', 'output']];
const ratio = (a: number, b: number): string => (b === 0 ? '—' : (a / b).toFixed(2));

const tokenRows = (label: string, pick: (f: SideFigures) => TokenCounts, withTarget: boolean): string[] => {
  const rows = kinds.map(([k, name]) => {
    const n = medianOf(naiveRuns, (f) => pick(f)[k]);
    const o = medianOf(oursRuns, (f) => pick(f)[k]);
    return `| ${label}: ${name} | ${fmt(n)} | ${fmt(o)} | ${ratio(o, n)} | |`;
  });
  const nRaw = medianOf(naiveRuns, (f) => rawTotal(pick(f)));
  const oRaw = medianOf(oursRuns, (f) => rawTotal(pick(f)));
  const nBilled = medianOf(naiveRuns, (f) => billedTotal(pick(f)));
  const oBilled = medianOf(oursRuns, (f) => billedTotal(pick(f)));
  const target = (v: number): string => (withTarget ? `≤ ${fmt(TARGET.standardTokens)} ${mark(v <= TARGET.standardTokens)}` : '');
  rows.push(`| ${label}: **total, raw** (every kind counts 1) | ${fmt(nRaw)} | **${fmt(oRaw)}** | ${ratio(oRaw, nRaw)} | ${target(oRaw)} |`);
  rows.push(`| ${label}: **total, billed-equivalent** (write ×1.25, read ×0.1) | ${fmt(nBilled)} | **${fmt(oBilled)}** | ${ratio(oBilled, nBilled)} | ${target(oBilled)} |`);
  return rows;
};

const nRt = medianOf(naiveRuns, (f) => f.realtimeUsd);
const oRt = medianOf(oursRuns, (f) => f.realtimeUsd);
const oBatch = medianOf(oursRuns, (f) => f.batchUsd);
const nBatch = medianOf(naiveRuns, (f) => f.batchUsd);
const nRate = medianOf(naiveRuns, (f) => f.rate);
const oRate = medianOf(oursRuns, (f) => f.rate);

const eff = medianOf(latencyRuns, (r) => r.efficiency);
const ovP95 = medianOf(latencyRuns, (r) => r.overheadP95);
const allLatency = latencyRuns.flatMap((r) => r.samples);
const tierRows = TIERS.map((tier) => {
  const s = allLatency.filter((a) => a.tier === tier);
  if (s.length === 0) return `| ${tier} | 0 | — | — | — | — | — |`;
  const secs = s.map((a) => a.wallMs / 1000);
  const avg = (xs: number[]): number => xs.reduce((x, y) => x + y, 0) / xs.length;
  return `| ${tier} | ${s.length / RUNS} | ${avg(secs).toFixed(2)} | ${percentile(secs, 95).toFixed(2)} | ${fmt(avg(s.map((a) => rawTotal(a.tokens))))} | ${fmt(avg(s.map((a) => billedTotal(a.tokens))))} | ${((100 * s.filter((a) => a.success).length) / s.length).toFixed(1)}% |`;
});

// Where ours' realtime dollars go, by kind (median tokens per agent at Sonnet prices).
const oursPerAgent: TokenCounts = { input: medianOf(oursRuns, (f) => f.perAgent.input), output: medianOf(oursRuns, (f) => f.perAgent.output), cacheCreation: medianOf(oursRuns, (f) => f.perAgent.cacheCreation), cacheRead: medianOf(oursRuns, (f) => f.perAgent.cacheRead) };
const oursUsd = usd(oursPerAgent);
const costShares = kinds.map(([k, name]) => `${name} ${((100 * usd({ ...ZERO, [k]: oursPerAgent[k] })) / oursUsd).toFixed(0)}%`).join(', ');

const seconds = (performance.now() - began) / 1000;
const section = [
  '## LLM generation through the simulator: tokens, cost, LLM-bound throughput',
  '',
  `Machine: ${machine()}; \`@anthropic-ai/sdk\` ${sdkVersion} (the real SDK) against the Messages API simulator (\`@agent-factory/sim\`) started by the benchmark in the same process on 127.0.0.1 — nothing leaves loopback. ${RUNS} repetitions, each with one run of each side (order alternating); figures are medians, spreads min–max. Whole benchmark: ${seconds.toFixed(0)} s.`,
  '',
  `Batch: the same ${fmt(N)} synthetic requirements every run (\`bench/synthetic.ts\`, seed ${SEED}; by our analysis ${TIERS.map((t) => `${tierCounts[t]} ${t}`).join(', ')}), ${CONCURRENCY} requests in flight on both sides, realtime. **Every tier generates with \`${MODEL}\`** on both sides so prices compare (the shipped default uses Haiku 4.5 for simple agents). Simulator for this part: no latency (ttftMs 0, no pacing), no limits, no faults, prompt-cache emulation on (Sonnet minimum 1,024 tokens), ledger reset and cache emptied before each side; throughput here is CPU-bound (both sides, the SDK and the simulator share one Node process).`,
  '',
  `- **Naive baseline** (the seed's "before optimization"): a plain loop, ${CONCURRENCY} in flight, one \`messages.create\` per requirement with a short instruction, the FULL research text — the uncompressed bundled-docs answers (\`LocalDocsSource.queryDocs\`, queried with the requirement) of each of the requirement's libraries, concatenated, ${fmt(medianOf(naiveRuns, (f) => f.researchTokens))} tokens per requirement on average — and the requirement; no cache_control, no batching, no validation, nothing written.`,
  `- **Ours**: \`runPipeline\` with \`createAnthropicProvider\` (streamed, research from the bundled docs compressed to the budget, ${fmt(medianOf(oursRuns, (f) => f.researchTokens))} tokens per requirement on average), the four gates, clamping. The cached system prefix for ${MODEL} is the ${prefix.variant} variant, ${fmt(prefix.tokens)} tokens (minimum ${fmt(prefix.minimum)}: ${prefix.cacheable ? 'cacheable' : 'NOT cacheable'}); the research block is a second breakpoint. Usage recorded by the provider equals the simulator's ledger in ${ourMatches.filter(Boolean).length} of ${ourMatches.length} runs.`,
  '- Tokens from the simulator\'s ledger (per standard agent: from each request\'s / agent\'s usage); cost with `costOf` at Sonnet 4.6 prices ($3 / $15 per MTok, cache write ×1.25, read ×0.1). **Batch mode is computed, not measured**: Message Batches mode is not built yet, so the batch figures are the same measured usage at the batch price (×0.5), assuming the same cache hits.',
  '',
  `| per agent (median of ${RUNS}) | naive | ours | ours ÷ naive | target |`,
  '|---|---|---|---|---|',
  ...tokenRows('all agents', (f) => f.perAgent, false),
  ...tokenRows(`standard agents (${nStandard})`, (f) => f.perStandard, true),
  '',
  '| per 1,000 agents (Sonnet 4.6 prices) | naive | spread | ours | spread | ours ÷ naive | target |',
  '|---|---|---|---|---|---|---|',
  `| cost, realtime (measured usage) | ${dollars(nRt)} | ${spread(naiveRuns.map((f) => f.realtimeUsd), 2)} | **${dollars(oRt)}** | ${spread(oursRuns.map((f) => f.realtimeUsd), 2)} | ${ratio(oRt, nRt)} | — |`,
  `| cost, batch mode with caching (computed ×0.5, not measured) | — (naive: no batching; ×0.5 would be ${dollars(nBatch)}) | | **${dollars(oBatch)}** | ${spread(oursRuns.map((f) => f.batchUsd), 2)} | ${ratio(oBatch, nRt)} vs naive realtime | ≤ $${TARGET.batchUsdPer1000} ${mark(oBatch <= TARGET.batchUsdPer1000)} |`,
  `| throughput, agents/s (CPU-bound, no simulated latency) | ${nRate.toFixed(0)} | ${spread(naiveRuns.map((f) => f.rate))} | **${oRate.toFixed(0)}** | ${spread(oursRuns.map((f) => f.rate))} | ${ratio(oRate, nRate)} | — |`,
  '',
  `Where ours' realtime cost goes: ${costShares}. The simulator's answer depends only on the requirement, so output tokens are the same on both sides.`,
  '',
  `### LLM-bound concurrency (simulator latency: ttftMs ${TTFT_MS}, ${TOKENS_PER_SECOND} output tokens/s)`,
  '',
  `A second simulator with latency on: each reply takes ttft + output ÷ ${TOKENS_PER_SECOND} tokens/s. Ours as above, concurrency ${CONCURRENCY}, the first ${LATENCY_N} requirements of the same batch, ${RUNS} runs (fresh cache and ledger each). Ceiling = concurrency ÷ mean simulated LLM time per agent, where that time is (replies × ${TTFT_MS} ms + output tokens ÷ ${TOKENS_PER_SECOND}/s) ÷ agents from the ledger; efficiency = throughput ÷ ceiling (the last wave's idle slots count against it). Non-LLM overhead per agent = runPipeline's wall time minus the time inside the provider's Messages API calls (from its onRequest records, attributed per agent): analyze, research, prompt building, clamping, the gates, and any wait for the event loop shared with the other ${CONCURRENCY - 1} agents in flight and the in-process simulator.`,
  '',
  '| measure | median | spread (min–max) | target |',
  '|---|---|---|---|',
  `| throughput, agents/s | ${medianOf(latencyRuns, (r) => r.rate).toFixed(2)} | ${spread(latencyRuns.map((r) => r.rate), 2)} | — |`,
  `| mean simulated LLM time per agent, ms | ${medianOf(latencyRuns, (r) => r.meanLlmMs).toFixed(0)} | ${spread(latencyRuns.map((r) => r.meanLlmMs))} | — |`,
  `| ceiling: ${CONCURRENCY} ÷ that, agents/s | ${medianOf(latencyRuns, (r) => r.ceiling).toFixed(2)} | ${spread(latencyRuns.map((r) => r.ceiling), 2)} | — |`,
  `| **efficiency** = throughput ÷ ceiling | **${eff.toFixed(3)}** | ${spread(latencyRuns.map((r) => r.efficiency), 3)} | ≥ ${TARGET.efficiency} ${mark(eff >= TARGET.efficiency)} |`,
  `| **non-LLM overhead per agent, p95**, ms | **${ovP95.toFixed(1)}** | ${spread(latencyRuns.map((r) => r.overheadP95), 1)} | ≤ ${TARGET.overheadP95Ms} ${mark(ovP95 <= TARGET.overheadP95Ms)} |`,
  `| non-LLM overhead per agent, p50, ms | ${medianOf(latencyRuns, (r) => r.overheadP50).toFixed(1)} | ${spread(latencyRuns.map((r) => r.overheadP50), 1)} | — |`,
  `| simulator lateness past the set latency, max ms | ${medianOf(latencyRuns, (r) => r.lateMax).toFixed(0)} | ${spread(latencyRuns.map((r) => r.lateMax))} | small |`,
  '',
  `### The seed's benchmark table, by tier (simulated: ttftMs ${TTFT_MS}, ${TOKENS_PER_SECOND} output tokens/s, concurrency ${CONCURRENCY}, every tier on ${MODEL})`,
  '',
  `From the ${RUNS} LLM-bound runs above pooled (${LATENCY_N} requirements each; count is per run). Time = runPipeline wall time per agent, seconds. Tokens = all kinds per agent, raw and billed-equivalent. Success = passed all four gates, written by the model, not degraded.`,
  '',
  '| tier | count | time avg, s | time p95, s | tokens avg, raw | tokens avg, billed-eq. | success |',
  '|---|---|---|---|---|---|---|',
  ...tierRows,
].join('\n');

writeSection('llm', section);
process.stdout.write(`${section}\n`);
