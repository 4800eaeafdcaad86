/**
 * Rate-limit saturation: 2 `agent-factory worker` processes (the Anthropic provider, the cluster-wide
 * limiter with AF_RATE_LIMIT set to the simulator's limits) generate one batch against a simulator
 * that enforces RPM, ITPM and OTPM like the API. Measured from the simulator's ledger: the share of
 * each limit used in steady state (the binding one is the target) and the share of requests answered 429.
 */
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { maxTokensFor } from '@agent-factory/llm';
import { connect, createLogger, DEFAULT_CONCURRENCY, DEFAULT_MAX_WAIT_MS, RateLimiter, submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { startSimulator, type LimitName, type Simulator } from '@agent-factory/sim';
import { storedResults, waitForBatch } from '../test/helpers/queue-workers.js';
import { machine, writeSection } from './benchmarks-md.js';
import { mark, REDIS_SETTINGS, sleep, spawnWorker, startBenchRedis, versions, type BenchRedis, type WorkerProcess } from './harness.js';
import { median, spread } from './stats.js';
import { syntheticRequirements } from './synthetic.js';

const N = Number(process.env['BENCH_RL_N'] ?? 300);
const RUNS = Number(process.env['BENCH_RL_RUNS'] ?? 3);
const PROCESSES = 2;
const SEED = 42;
const MODEL = 'claude-sonnet-4-6';
/** Sonnet's first usage tier (50 RPM, 30,000 ITPM, 8,000 OTPM) ×30: the same shape, a run in about a minute. */
const LIMITS = { rpm: 1500, itpm: 900_000, otpm: 240_000 } as const;
const TTFT_MS = 300;
const TOKENS_PER_SECOND = 400;
/**
 * Steady state is measured from this long after the first request (the pool of requests in flight
 * fills first) to the arrival of the request after which fewer jobs are left than the generate slots
 * (from then on the queue cannot keep the limit busy: the run's tail, not the limiter).
 */
const WARM_MS = 10_000;
/** How often the simulator's ledger is sampled. */
const POLL_MS = 50;
const RUN_TIMEOUT_MS = 10 * 60_000;
const TARGET = { saturation: 0.95, share429: 0.01 } as const;
/**
 * Generate jobs per worker process, sized to the limits: OTPM 240,000/min ÷ ~750 output tokens an
 * agent ≈ 5.3 replies/s, × ~2.2 s a reply ≈ 12 requests in flight; 8 per process gives the 2 processes
 * a third more than that. The default (16 per process, nearly 3× that) runs once beside it.
 */
const SIZED_GENERATE = 8;
const MESSAGES = 'POST /v1/messages';

type Limit = 'requests' | 'input' | 'output';
const LIMIT_OF: Record<Limit, { perMinute: number; name: string }> = {
  requests: { perMinute: LIMITS.rpm, name: 'RPM (requests)' },
  input: { perMinute: LIMITS.itpm, name: 'ITPM (uncached input + cache writes)' },
  output: { perMinute: LIMITS.otpm, name: 'OTPM (output tokens)' },
};
const LIMITS_ORDER: Limit[] = ['requests', 'input', 'output'];

/** The simulator at one moment: its ledger and its buckets. */
interface Sample {
  t: number;
  /** Messages requests received, 429s included. */
  arrived: number;
  /** Completed replies and what they counted against each limit (ITPM: uncached input and cache writes; reads are free). */
  used: Record<Limit, number>;
  /** What each bucket holds (OTPM net of the max_tokens that replies in flight hold). */
  level: Record<Limit, number>;
}

const perLimit = (value: (l: Limit) => number): Record<Limit, number> => Object.fromEntries(LIMITS_ORDER.map((l) => [l, value(l)])) as Record<Limit, number>;

const BUCKET: Record<Limit, LimitName> = { requests: 'requests', input: 'input-tokens', output: 'output-tokens' };

function sample(sim: Simulator): Sample {
  const { requests, messages, tokens } = sim.ledger;
  const t = tokens.realtime;
  const levels = sim.limitLevels();
  return {
    t: Date.now(),
    arrived: requests.byEndpoint[MESSAGES] ?? 0,
    used: { requests: messages.realtime, input: t.input + t.cacheCreation, output: t.output },
    level: perLimit((l) => levels[BUCKET[l]] ?? 0),
  };
}

interface RunFigures {
  /** Steady-state share of each limit: what completed replies counted against it over its rate (replyShares). */
  share: Record<Limit, number>;
  windowS: number;
  /** The same window by the simulator's bucket accounting (bucketShares): a cross-check. */
  bucketShare: Record<Limit, number>;
  /** Whole run, first request to last reply: startup and the last replies' tail included. */
  wholeShare: Record<Limit, number>;
  requests: number;
  responses429: number;
  completed: number;
  failed: number;
  /** Agents written by the model, passing every gate, not degraded. */
  fromModel: number;
  /** Agents each worker process generated. */
  perWorker: number[];
  seconds: number;
}

/** The first sample at or after `t` (the series is dense: one every POLL_MS). */
const at = (samples: Sample[], t: number): Sample => samples.find((s) => s.t >= t) ?? samples.at(-1)!;

/** What a limit's bucket refilled between two samples. */
const refill = (l: Limit, from: Sample, to: Sample): number => (LIMIT_OF[l].perMinute * (to.t - from.t)) / 60_000;

/**
 * What requests took from each limit's bucket between two samples, over what the bucket refilled
 * meanwhile: the simulator's own accounting (a reservation at admission, OTPM's unused part given
 * back at the end), so requests in flight at either edge count as the bucket counts them. Above 1
 * when the window ends with less in the bucket than it started with.
 */
const bucketShares = (from: Sample, to: Sample): Record<Limit, number> => perLimit((l) => (from.level[l] + refill(l, from, to) - to.level[l]) / refill(l, from, to));

/** What the replies completed between two samples counted against each limit, over what its rate allowed meanwhile. */
const replyShares = (from: Sample, to: Sample): Record<Limit, number> => perLimit((l) => (to.used[l] - from.used[l]) / refill(l, from, to));

function workerEnv(redis: BenchRedis, prefix: string, sim: Simulator, generate: number): NodeJS.ProcessEnv {
  return {
    AF_CONCURRENCY: `generate=${generate}`,
    REDIS_URL: redis.url,
    AF_PREFIX: prefix,
    AF_PROVIDER: 'anthropic',
    ANTHROPIC_API_KEY: 'sk-bench-simulator',
    ANTHROPIC_BASE_URL: sim.url,
    AF_RESEARCH: 'local',
    AF_GENERATION_MODELS: `simple=${MODEL},standard=${MODEL},complex=${MODEL}`,
    AF_RATE_LIMIT: `rpm=${LIMITS.rpm},itpm=${LIMITS.itpm},otpm=${LIMITS.otpm}`,
  };
}

async function runOnce(redis: BenchRedis, run: number, generate: number): Promise<RunFigures> {
  await redis.flush();
  const prefix = `{afrl${run}}`;
  const sim = await startSimulator({ seed: run + 1, ttftMs: TTFT_MS, tokensPerSecond: TOKENS_PER_SECOND, limits: LIMITS });
  const workers: WorkerProcess[] = [];
  let conn: FactoryConnection | undefined;
  const samples: Sample[] = [];
  const poll = setInterval(() => samples.push(sample(sim)), POLL_MS);
  try {
    workers.push(...(await Promise.all(Array.from({ length: PROCESSES }, () => spawnWorker(workerEnv(redis, prefix, sim, generate))))));
    conn = await connect({ redisUrl: redis.url, prefix }, { logger: createLogger({}, { level: 'error' }) });
    // Both sides start with empty buckets, as after a minute at full load: the limits bind from the first request.
    sim.drainLimits();
    const ours = new RateLimiter({ redis: conn.redis, prefix, limits: LIMITS });
    await ours.reserve({ requests: LIMITS.rpm, input: LIMITS.itpm, output: LIMITS.otpm }, 60_000);
    const started = performance.now();
    const batch = await submitBatch(conn, syntheticRequirements(N, SEED + run).map((requirement, i) => ({ id: `r${i}`, requirement })), { useCache: false });
    const done = await waitForBatch(conn, batch.id, RUN_TIMEOUT_MS);
    const seconds = (performance.now() - started) / 1000;
    const results = [...(await storedResults(conn, batch.id)).values()];
    clearInterval(poll);
    samples.push(sample(sim));

    const first = samples.find((s) => s.arrived > 0)!;
    const last = samples.at(-1)!;
    const tailStart = samples.find((s) => s.arrived >= last.arrived - PROCESSES * generate)!;
    const lastReply = samples.find((s) => s.used.requests === last.used.requests)!;
    const from = at(samples, first.t + WARM_MS);
    const workerIds = [...new Set(results.map((r) => r.w))];
    return {
      share: replyShares(from, tailStart),
      bucketShare: bucketShares(from, tailStart),
      windowS: (tailStart.t - from.t) / 1000,
      wholeShare: replyShares(first, lastReply),
      requests: last.arrived,
      responses429: sim.ledger.responses429,
      completed: done.counts.completed,
      failed: done.counts.failed,
      fromModel: results.filter((r) => r.m?.startsWith('anthropic/') && r.p === true && r.d === undefined).length,
      perWorker: workerIds.map((w) => results.filter((r) => r.w === w).length),
      seconds,
    };
  } finally {
    clearInterval(poll);
    await Promise.all(workers.map((w) => w.stop()));
    await conn?.close();
    await sim.close();
  }
}

// ---------------------------------------------------------------------------------------------

const began = performance.now();
// Each paced reply waits on the simulator's one closing signal: dozens in flight is past Node's default of 10 listeners (benign).
setMaxListeners(128);
const redis = await startBenchRedis();
const sized: RunFigures[] = [];
let oversubscribed: RunFigures | undefined;
try {
  for (let run = 0; run <= RUNS; run++) {
    // The last run: the default concurrency, once.
    const generate = run < RUNS ? SIZED_GENERATE : DEFAULT_CONCURRENCY.generate;
    const r = await runOnce(redis, run, generate);
    if (run < RUNS) sized.push(r);
    else oversubscribed = r;
    const shown = LIMITS_ORDER.map((l) => `${l} ${(100 * r.share[l]).toFixed(1)}%`).join(', ');
    process.stderr.write(`run ${run + 1}/${RUNS + 1} (generate=${generate}): steady state over ${r.windowS.toFixed(0)} s: ${shown} (output by the bucket ${(100 * r.bucketShare.output).toFixed(1)}%); 429s ${r.responses429} of ${r.requests} (${((performance.now() - began) / 1000).toFixed(0)} s)\n`);
    await sleep(500);
  }
} finally {
  await redis.stop();
}

const medianOf = (pick: (r: RunFigures) => number): number => median(sized.map(pick));
const pct = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)}%`;
const pctSpread = (pick: (r: RunFigures) => number, digits = 1): string => `${pct(Math.min(...sized.map(pick)), digits)}–${pct(Math.max(...sized.map(pick)), digits)}`;
// The binding limit: the one the runs used most of.
const binding = LIMITS_ORDER.reduce((a, b) => (medianOf((r) => r.share[b]) > medianOf((r) => r.share[a]) ? b : a));
const saturation = medianOf((r) => r.share[binding]);
const share429 = medianOf((r) => r.responses429 / r.requests);
const sdkVersion = (JSON.parse(readFileSync(new URL('../node_modules/@anthropic-ai/sdk/package.json', import.meta.url), 'utf8')) as { version: string }).version;
const count = (pick: (r: RunFigures) => number): string => (sized.every((r) => pick(r) === pick(sized[0]!)) ? String(pick(sized[0]!)) : spread(sized.map(pick)));
const once = (pick: (r: RunFigures) => number, show: (x: number) => string): string => (oversubscribed ? show(pick(oversubscribed)) : '—');

const section = [
  '## LLM rate-limit saturation: 2 worker processes against the simulator\'s limits',
  '',
  `Machine: ${machine()}; ${versions(redis.version)}, ${REDIS_SETTINGS}; \`@anthropic-ai/sdk\` ${sdkVersion} against the Messages API simulator in the benchmark's process on 127.0.0.1. ${RUNS} runs with the generate concurrency sized to the limits (figures are medians, spreads min–max), then 1 run with the default concurrency. Whole benchmark: ${((performance.now() - began) / 1000).toFixed(0)} s.`,
  '',
  `Each run: ${PROCESSES} \`agent-factory worker\` processes (\`AF_PROVIDER=anthropic\`, every tier on \`${MODEL}\`, research from the bundled docs) and a batch of ${N} distinct synthetic requirements (seed ${SEED} + run, no agents cache). The simulator enforces rpm ${LIMITS.rpm.toLocaleString('en-US')}, itpm ${LIMITS.itpm.toLocaleString('en-US')}, otpm ${LIMITS.otpm.toLocaleString('en-US')} (Sonnet's first usage tier ×30) as the API does — token buckets refilled continuously, ITPM counting uncached input and cache writes, OTPM taking max_tokens (the provider asks ${maxTokensFor('simple', 8192).toLocaleString('en-US')} / ${maxTokensFor('standard', 8192).toLocaleString('en-US')} / ${maxTokensFor('complex', 8192).toLocaleString('en-US')} for simple / standard / complex, what each tier's length gate can accept) at admission and giving the unused part back when the reply ends — and answers at ttft ${TTFT_MS} ms + ${TOKENS_PER_SECOND} output tokens/s. The workers get the same limits in \`AF_RATE_LIMIT\`: one limiter in Redis for both processes, reserving before each request and settling after it. Both the simulator's buckets and ours start empty (\`sim.drainLimits()\` and one reservation of a whole minute), as after a minute at full load, so the limits bind from the first request.`,
  '',
  `Share of a limit used, in steady state = what the replies completed in the window counted against the limit ÷ what the limit's rate allowed in the window; cross-checked by the simulator's own bucket accounting over the same window (taken = level at the start + refill − level at the end, where a reply in flight holds its whole max_tokens: this one moves with the number of replies in flight at the window's two edges). The window runs from ${WARM_MS / 1000} s after the first request (the pool of requests in flight fills first) to the arrival of the request after which fewer jobs are left than there are generate slots (the run's tail: from then on the queue can no longer keep the limit busy, and what the bucket gathers is never asked for), sampling the simulator's ledger and buckets every ${POLL_MS} ms. The binding limit is the one most used. 429 share = requests answered 429 ÷ all Messages requests of the run.`,
  '',
  `| measure | generate ${SIZED_GENERATE} per process (sized to the limits), median | spread (min–max) | target | generate ${DEFAULT_CONCURRENCY.generate} per process (the default), 1 run |`,
  '|---|---|---|---|---|',
  ...LIMITS_ORDER.map((l) => {
    const isBinding = l === binding;
    const value = medianOf((r) => r.share[l]);
    const shown = isBinding ? `**${pct(value)}**` : pct(value);
    return `| ${isBinding ? '**' : ''}share of ${LIMIT_OF[l].name} used, steady state${isBinding ? ' — the binding limit**' : ''} | ${shown} | ${pctSpread((r) => r.share[l])} | ${isBinding ? `≥ ${pct(TARGET.saturation, 0)} ${mark(value >= TARGET.saturation)}` : '—'} | ${once((r) => r.share[l], (x) => pct(x))} |`;
  }),
  `| **requests answered 429** | **${pct(share429, 2)}** (${count((r) => r.responses429)} of ${count((r) => r.requests)}) | ${pctSpread((r) => r.responses429 / r.requests, 2)} | ≤ ${pct(TARGET.share429, 0)} ${mark(share429 <= TARGET.share429)} | ${once((r) => r.responses429 / r.requests, (x) => pct(x, 2))} |`,
  `| steady-state window, s | ${medianOf((r) => r.windowS).toFixed(0)} | ${spread(sized.map((r) => r.windowS))} | — | ${once((r) => r.windowS, (x) => x.toFixed(0))} |`,
  `| ${LIMIT_OF[binding].name}: taken from the simulator's bucket ÷ its refill, same window (cross-check) | ${pct(medianOf((r) => r.bucketShare[binding]))} | ${pctSpread((r) => r.bucketShare[binding])} | — | ${once((r) => r.bucketShare[binding], (x) => pct(x))} |`,
  `| ${LIMIT_OF[binding].name}: completed replies' share of the limit's rate over the whole run (first request to last reply) | ${pct(medianOf((r) => r.wholeShare[binding]))} | ${pctSpread((r) => r.wholeShare[binding])} | — | ${once((r) => r.wholeShare[binding], (x) => pct(x))} |`,
  `| wall time, submit to the last result, s | ${medianOf((r) => r.seconds).toFixed(0)} | ${spread(sized.map((r) => r.seconds))} | — | ${once((r) => r.seconds, (x) => x.toFixed(0))} |`,
  '',
  `Every run: ${count((r) => r.completed)} of ${N} completed, ${count((r) => r.failed)} failed, ${count((r) => r.fromModel)} written by the model and passing every gate (not degraded); agents per worker process ${[...sized, ...(oversubscribed ? [oversubscribed] : [])].map((r) => r.perWorker.join(' / ')).join('; ')}. The whole-run share is lower by construction: the first seconds fill the pool of requests in flight, and at the end the last replies stream while nothing is left to send.`,
  '',
  `Why concurrency matters: the limiter gives each reservation its own start time and sends a job whose start is more than ${DEFAULT_MAX_WAIT_MS / 1000} s away back to the queue, pausing the stage's fetching on every worker for the rest of that wait. Those waits are computed from max_tokens, before the unused part of earlier reservations comes back; with ${DEFAULT_CONCURRENCY.generate} generate jobs per process, many more jobs than the limit admits compete for slots, so the stage is paused longer than the refunds make necessary and the OTPM bucket fills up unused meanwhile. Sized near the limit's own pool of requests in flight, few jobs are sent back and the limit is used in full. \`AF_CONCURRENCY=generate=N\` is the setting.`,
].join('\n');

writeSection('ratelimit', section);
process.stdout.write(`${section}\n`);
