/**
 * LLM generation against the Messages API simulator, on loopback, through the real @anthropic-ai/sdk:
 * 1. tokens by kind, cost per 1,000 agents and throughput of ours (runPipeline with the Anthropic
 *    provider: cached prompt prefix, fitted research) against a naive loop (one uncached prompt per
 *    requirement with the full docs answers), on the same batch (N requirements), realtime;
 * 2. the same batch in Message Batches mode through the real queue path, measured from the ledger;
 * 3. with the simulator's latency on: LLM-bound concurrency efficiency, the non-LLM overhead per
 *    agent, and the seed's benchmark table by tier.
 */
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Tier } from '@agent-factory/core';
import { costOf, PROMPT_RESEARCH_TOKENS, prefixReport } from '@agent-factory/llm';
import { readKnowledgeBase } from '@agent-factory/research';
import { startSimulator, type LedgerData, type TokenCounts } from '@agent-factory/sim';
import { machine, writeSection } from './benchmarks-md.js';
import { mark, startBenchRedis, versions } from './harness.js';
import { BATCH_COLLECTOR, runBatchMode, type BatchModeRun } from './llm-batch.js';
import { runNaive, runOurs, sumTokens, ZERO, type AgentSample, type OursRun, type RealtimeSetup } from './llm-realtime.js';
import { median, percentile, spread } from './stats.js';
import { syntheticRequirements } from './synthetic.js';

/** The realtime and Message Batches batch (was 1,000; per-agent tokens and cost do not depend on its size beyond the one prefix write). */
const N = Number(process.env['BENCH_LLM_N'] ?? 200);
/** Untimed warm-up requirements per side (JIT, SDK, templates). */
const WARM_N = 100;
const RUNS = Number(process.env['BENCH_LLM_RUNS'] ?? 3);
const SEED = 42;
const CONCURRENCY = 16;
/** Every tier generates with Sonnet 4.6 so both sides pay the same prices. */
const MODEL = 'claude-sonnet-4-6';
const MAX_TOKENS = 8192;
/** The LLM-bound part: the first LATENCY_N requirements of the same batch, with the simulator's latency on. */
const LATENCY_N = Number(process.env['BENCH_LLM_LATENCY_N'] ?? 144);
const TTFT_MS = 300;
const TOKENS_PER_SECOND = 400;
/** How long the simulator takes to end a Message Batch. */
const BATCH_PROCESSING_MS = 1000;
const TARGET = { standardTokens: 2500, batchUsdPer1000: 12, efficiency: 0.9, overheadP95Ms: 15 } as const;
const TIERS: Tier[] = ['simple', 'standard', 'complex'];
const API_KEY = 'sk-bench-simulator';

const scale = (t: TokenCounts, k: number): TokenCounts => ({ input: t.input * k, output: t.output * k, cacheCreation: t.cacheCreation * k, cacheRead: t.cacheRead * k });
const rawTotal = (t: TokenCounts): number => t.input + t.output + t.cacheCreation + t.cacheRead;
/** Cache writes count 1.25, cache reads 0.1 (their share of the input price), everything else 1. */
const billedTotal = (t: TokenCounts): number => t.input + t.output + 1.25 * t.cacheCreation + 0.1 * t.cacheRead;
const usd = (t: TokenCounts, batch = false): number => costOf({ ...t }, MODEL, { batch });

// ---------------------------------------------------------------------------------------------
// Figures of one run of each side.

interface SideFigures {
  rate: number;
  perAgent: TokenCounts;
  perStandard: TokenCounts;
  realtimeUsd: number;
  /** Research tokens per requirement: the naive side's full docs text; ours' research stage output. */
  researchTokens: number;
}

function figures(n: number, seconds: number, ledger: LedgerData, perItem: Array<{ tier: Tier; tokens: TokenCounts }>, researchTokens: number): SideFigures {
  const total = ledger.tokens.realtime;
  const standard = perItem.filter((s) => s.tier === 'standard');
  return {
    rate: n / seconds,
    perAgent: scale(total, 1 / n),
    perStandard: scale(sumTokens(standard.map((s) => s.tokens)), 1 / Math.max(1, standard.length)),
    realtimeUsd: (usd(total) * 1000) / n,
    researchTokens,
  };
}

/** Mean prompt parts of ours' standard agents (first request of each). */
function standardPrompt(samples: AgentSample[]): AgentSample['prompt'] {
  const standard = samples.filter((s) => s.tier === 'standard');
  const mean = (pick: (p: AgentSample['prompt']) => number): number => standard.reduce((sum, s) => sum + pick(s.prompt), 0) / Math.max(1, standard.length);
  return { prefix: mean((p) => p.prefix), research: mean((p) => p.research), task: mean((p) => p.task) };
}

interface BatchFigures {
  perAgent: TokenCounts;
  /** Batch-priced Message Batch requests plus any realtime fallbacks at the realtime price, per 1,000 agents. */
  usd: number;
  /** The simulator's own price of the same ledger (its models.ts table), per 1,000 agents. */
  simUsd: number;
  seconds: number;
  messageBatches: number;
  batchRequests: number;
  realtimeRequests: number;
  fromBatches: number;
  passed: number;
  completed: number;
  recordedMatchesLedger: boolean;
}

function batchFigures(n: number, r: BatchModeRun): BatchFigures {
  const { tokens, costUsd, batches, messages } = r.ledger;
  const recorded = { input: r.recorded.input, output: r.recorded.output, cacheCreation: r.recorded.cacheCreation, cacheRead: r.recorded.cacheRead };
  return {
    perAgent: scale(sumTokens([tokens.batch, tokens.realtime]), 1 / n),
    usd: ((usd(tokens.batch, true) + usd(tokens.realtime)) * 1000) / n,
    simUsd: ((costUsd.batch + costUsd.realtime) * 1000) / n,
    seconds: r.seconds,
    messageBatches: batches.created,
    batchRequests: batches.requests,
    realtimeRequests: messages.realtime,
    fromBatches: r.fromBatches,
    passed: r.passed,
    completed: r.completed,
    recordedMatchesLedger: JSON.stringify(recorded) === JSON.stringify(tokens.batch) && Math.abs(r.recorded.costUsd - costUsd.batch) < 1e-9,
  };
}

const medianOf = <T>(runs: T[], pick: (r: T) => number): number => median(runs.map(pick));
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const dollars = (n: number): string => `$${n.toFixed(2)}`;
const elapsed = (): string => `${((performance.now() - began) / 1000).toFixed(0)} s`;

// ---------------------------------------------------------------------------------------------

const began = performance.now();
const sdkVersion = (JSON.parse(readFileSync(new URL('../node_modules/@anthropic-ai/sdk/package.json', import.meta.url), 'utf8')) as { version: string }).version;
const kb = readKnowledgeBase();
const requirements = syntheticRequirements(N, SEED);
const prefix = prefixReport([MODEL])[0]!;
const setup: RealtimeSetup = { kb, apiKey: API_KEY, model: MODEL, maxTokens: MAX_TOKENS, concurrency: CONCURRENCY };

const sim = await startSimulator({ seed: 1, batch: { processingMs: BATCH_PROCESSING_MS } });
const naiveRuns: SideFigures[] = [];
const oursRuns: SideFigures[] = [];
const ourMatches: boolean[] = [];
const batchRuns: BatchFigures[] = [];
let lastOurs: OursRun | undefined;
let redisVersion = '?';
try {
  // Warm-up (JIT, SDK, templates) on other requirements; not measured.
  const warm = syntheticRequirements(WARM_N, 7);
  await runNaive(sim, warm, setup);
  await runOurs(sim, warm, setup);
  for (let run = 0; run < RUNS; run++) {
    const order = run % 2 === 0 ? (['naive', 'ours'] as const) : (['ours', 'naive'] as const);
    for (const side of order) {
      if (side === 'naive') {
        const r = await runNaive(sim, requirements, setup);
        naiveRuns.push(figures(N, r.seconds, r.ledger, r.perRequest, r.perRequest.reduce((sum, p) => sum + p.researchTokens, 0) / N));
      } else {
        const r = await runOurs(sim, requirements, setup);
        lastOurs = r;
        ourMatches.push(r.usageMatchesLedger);
        oursRuns.push(figures(N, r.seconds, r.ledger, r.samples, r.samples.reduce((sum, a) => sum + a.researchTokens, 0) / N));
      }
    }
    process.stderr.write(`run ${run + 1}/${RUNS}: naive ${naiveRuns.at(-1)!.rate.toFixed(0)}/s ${dollars(naiveRuns.at(-1)!.realtimeUsd)}; ours ${oursRuns.at(-1)!.rate.toFixed(0)}/s ${dollars(oursRuns.at(-1)!.realtimeUsd)} (${elapsed()})\n`);
  }
  // Message Batches mode: the same batch through the queue, on the same simulator.
  const redis = await startBenchRedis();
  redisVersion = redis.version;
  try {
    for (let run = 0; run < RUNS; run++) {
      const r = batchFigures(N, await runBatchMode({ sim, redis, kb, apiKey: API_KEY, model: MODEL, maxTokens: MAX_TOKENS }, requirements));
      batchRuns.push(r);
      process.stderr.write(`batch mode run ${run + 1}/${RUNS}: ${dollars(r.usd)} per 1,000, ${r.messageBatches} Message Batches, ${r.realtimeRequests} realtime, ${r.seconds.toFixed(1)} s (${elapsed()})\n`);
    }
  } finally {
    await redis.stop();
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
    const r = await runOurs(latencySim, subset, setup);
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
const nRate = medianOf(naiveRuns, (f) => f.rate);
const oRate = medianOf(oursRuns, (f) => f.rate);
const bUsd = medianOf(batchRuns, (r) => r.usd);
const parts = lastOurs ? standardPrompt(lastOurs.samples) : { prefix: 0, research: 0, task: 0 };
const batchAll = (k: keyof TokenCounts): number => medianOf(batchRuns, (r) => r.perAgent[k]);
const oursAll = (k: keyof TokenCounts): number => medianOf(oursRuns, (f) => f.perAgent[k]);
const batchRows = [
  ...kinds.map(([k, name]) => `| ${name} | ${fmt(oursAll(k))} | ${fmt(batchAll(k))} |`),
  `| **total, raw** | ${fmt(medianOf(oursRuns, (f) => rawTotal(f.perAgent)))} | **${fmt(medianOf(batchRuns, (r) => rawTotal(r.perAgent)))}** |`,
  `| **total, billed-equivalent** | ${fmt(medianOf(oursRuns, (f) => billedTotal(f.perAgent)))} | **${fmt(medianOf(batchRuns, (r) => billedTotal(r.perAgent)))}** |`,
];
const allRuns = (pick: (r: BatchFigures) => number): boolean => batchRuns.every((r) => pick(r) === pick(batchRuns[0]!));
const batchCounts = (pick: (r: BatchFigures) => number): string => (allRuns(pick) ? fmt(pick(batchRuns[0]!)) : spread(batchRuns.map(pick)));

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
const oursPerAgent: TokenCounts = { input: oursAll('input'), output: oursAll('output'), cacheCreation: oursAll('cacheCreation'), cacheRead: oursAll('cacheRead') };
const oursUsd = usd(oursPerAgent);
const costShares = kinds.map(([k, name]) => `${name} ${((100 * usd({ ...ZERO, [k]: oursPerAgent[k] })) / oursUsd).toFixed(0)}%`).join(', ');

const seconds = (performance.now() - began) / 1000;
const section = [
  '## LLM generation through the simulator: tokens, cost, LLM-bound throughput',
  '',
  `Machine: ${machine()}; \`@anthropic-ai/sdk\` ${sdkVersion} (the real SDK) against the Messages API simulator (\`@agent-factory/sim\`) started by the benchmark in the same process on 127.0.0.1 — nothing leaves loopback. ${RUNS} repetitions, each with one run of each side (order alternating), then ${RUNS} runs in Message Batches mode; figures are medians, spreads min–max. Whole benchmark: ${seconds.toFixed(0)} s.`,
  '',
  `Batch: the same ${fmt(N)} synthetic requirements every run (\`bench/synthetic.ts\`, seed ${SEED}; by our analysis ${TIERS.map((t) => `${tierCounts[t]} ${t}`).join(', ')}${N === 1000 ? '' : `; figures per 1,000 agents are this batch's × ${fmt(1000 / N, 1)}`}), ${CONCURRENCY} requests in flight on both sides, realtime (Message Batches mode below). **Every tier generates with \`${MODEL}\`** on both sides so prices compare (the shipped default uses Haiku 4.5 for simple agents). Simulator for this part: no latency (ttftMs 0, no pacing), no limits, no faults, prompt-cache emulation on (Sonnet minimum 1,024 tokens), ledger reset and cache emptied before each side; throughput here is CPU-bound (both sides, the SDK and the simulator share one Node process).`,
  '',
  `- **Naive baseline** (the seed's "before optimization"): a plain loop, ${CONCURRENCY} in flight, one \`messages.create\` per requirement with a short instruction, the FULL research text — the uncompressed bundled-docs answers (\`LocalDocsSource.queryDocs\`, queried with the requirement) of each of the requirement's libraries, concatenated, ${fmt(medianOf(naiveRuns, (f) => f.researchTokens))} tokens per requirement on average — and the requirement; no cache_control, no batching, no validation, nothing written.`,
  `- **Ours**: \`runPipeline\` with \`createAnthropicProvider\` (streamed), the four gates, clamping. Research: the research stage keeps ${fmt(medianOf(oursRuns, (f) => f.researchTokens))} tokens per requirement on average (its own budget, for the offline generator and the report); the prompt carries only the most relevant notes within ${PROMPT_RESEARCH_TOKENS} tokens, no code snippets, one source per library. The cached system prefix for ${MODEL} is the ${prefix.variant} variant, ${fmt(prefix.tokens)} tokens (minimum ${fmt(prefix.minimum)} × margin 1.1 = ${fmt(Math.ceil(prefix.minimum * 1.1))}: ${prefix.cacheable ? 'cacheable' : 'NOT cacheable'}): instructions, the agent-file rules, the tier templates and an excerpt of one standard example, cut where the minimum is reached; the research block is not marked (\`cacheResearch\` off). A standard agent's request by part (estimated tokens, mean): prefix ${fmt(parts.prefix)}, research block ${fmt(parts.research)}, task (decided values, analysis, the requirement) ${fmt(parts.task)}. Usage recorded by the provider equals the simulator's ledger in ${ourMatches.filter(Boolean).length} of ${ourMatches.length} runs.`,
  '- Tokens from the simulator\'s ledger (per standard agent: from each agent\'s usage); cost with `costOf` at Sonnet 4.6 prices ($3 / $15 per MTok, cache write ×1.25, read ×0.1; Message Batches ×0.5).',
  '',
  `| per agent (median of ${RUNS}) | naive | ours | ours ÷ naive | target |`,
  '|---|---|---|---|---|',
  ...tokenRows('all agents', (f) => f.perAgent, false),
  ...tokenRows(`standard agents (${nStandard})`, (f) => f.perStandard, true),
  '',
  '| per 1,000 agents (Sonnet 4.6 prices) | naive | spread | ours | spread | ours ÷ naive | target |',
  '|---|---|---|---|---|---|---|',
  `| cost, realtime (measured usage) | ${dollars(nRt)} | ${spread(naiveRuns.map((f) => f.realtimeUsd), 2)} | **${dollars(oRt)}** | ${spread(oursRuns.map((f) => f.realtimeUsd), 2)} | ${ratio(oRt, nRt)} | < naive ${mark(oRt < nRt)} |`,
  `| cost, Message Batches mode with caching (measured, below) | — (no batching) | | **${dollars(bUsd)}** | ${spread(batchRuns.map((r) => r.usd), 2)} | ${ratio(bUsd, nRt)} vs naive realtime | ≤ $${TARGET.batchUsdPer1000} ${mark(bUsd <= TARGET.batchUsdPer1000)} |`,
  `| throughput, agents/s (CPU-bound, no simulated latency) | ${nRate.toFixed(0)} | ${spread(naiveRuns.map((f) => f.rate))} | **${oRate.toFixed(0)}** | ${spread(oursRuns.map((f) => f.rate))} | ${ratio(oRate, nRate)} | — |`,
  '',
  `Where ours' realtime cost goes: ${costShares}. The simulator's answer depends only on the requirement, so output tokens are the same on both sides.`,
  '',
  '### Message Batches mode, measured (`submit --mode batch` through the queue)',
  '',
  `The same ${fmt(N)} requirements, ${RUNS} runs, as one factory batch with \`mode: 'batch'\` through the real queue path: \`submitBatch\`, the four stage workers and the batch collector in this process (\`startWorkers\`, \`startBatchCollector\`; collection window ${BATCH_COLLECTOR.windowMs} ms, poll every ${BATCH_COLLECTOR.pollMs} ms instead of production's 2 s / 30 s), ${versions(redisVersion)} on a private \`redis-server\` flushed between runs, no agents cache; the provider as above, its generation requests grouped into Message Batches on the same simulator (each batch ends ${BATCH_PROCESSING_MS} ms after it is created; inside a batch the simulator answers the requests one by one through its prompt cache, so after the first every request reads the prefix — the real API processes a batch in parallel and its cache hits are best-effort, so a real batch may write the prefix more than once). Tokens and cost from the simulator's ledger: batch requests at the batch price (×0.5), any realtime fallback at the realtime price.`,
  '',
  '| per agent, all agents (median) | ours, realtime (above) | ours, Message Batches mode |',
  '|---|---|---|',
  ...batchRows,
  '',
  `Per run: ${batchCounts((r) => r.messageBatches)} Message Batch(es) holding ${batchCounts((r) => r.batchRequests)} requests; ${batchCounts((r) => r.realtimeRequests)} realtime fallbacks; ${batchCounts((r) => r.fromBatches)} of ${fmt(N)} agents written from a batch result, ${batchCounts((r) => r.passed)} passing every gate and not degraded; usage the queue recorded (\`batchModeUsage\`) equals the ledger's batch tokens and price in ${batchRuns.filter((r) => r.recordedMatchesLedger).length} of ${batchRuns.length} runs; the simulator's own price of the ledger: ${dollars(medianOf(batchRuns, (r) => r.simUsd))} per 1,000. Wall time from submit to the last result: ${spread(batchRuns.map((r) => r.seconds), 1)} s (collection, the simulated batch time and polling included: batch mode trades latency for price).`,
  '',
  `### LLM-bound concurrency (simulator latency: ttftMs ${TTFT_MS}, ${TOKENS_PER_SECOND} output tokens/s)`,
  '',
  `A second simulator with latency on: each reply takes ttft + output ÷ ${TOKENS_PER_SECOND} tokens/s. Ours as above, concurrency ${CONCURRENCY}, the first ${LATENCY_N} requirements of the same batch (${fmt(LATENCY_N / CONCURRENCY, Number.isInteger(LATENCY_N / CONCURRENCY) ? 0 : 1)} waves of ${CONCURRENCY}), ${RUNS} runs (fresh cache and ledger each). Ceiling = concurrency ÷ mean simulated LLM time per agent, where that time is (replies × ${TTFT_MS} ms + output tokens ÷ ${TOKENS_PER_SECOND}/s) ÷ agents from the ledger; efficiency = throughput ÷ ceiling (the last wave's idle slots count against it). Non-LLM overhead per agent = runPipeline's wall time minus the time inside the provider's Messages API calls (from its onRequest records, attributed per agent): analyze, research, prompt building, clamping, the gates, and any wait for the event loop shared with the other ${CONCURRENCY - 1} agents in flight and the in-process simulator.`,
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
