/**
 * Rate-limit saturation: 2 `agent-factory worker` processes (the Anthropic provider, the cluster-wide
 * limiter with AF_RATE_LIMIT set to the simulator's limits) generate one batch against a simulator
 * that enforces RPM, ITPM and OTPM like the API. Measured from the simulator's ledger: the share of
 * each limit used in steady state (the binding one is the target) and the share of requests answered 429,
 * as medians of RUNS independent runs at the concurrency sized to the limits, against the default
 * concurrency (the baseline, DEFAULT_RUNS runs) in the same benchmark. `BENCH_RL_TRACE=1` prints each
 * run's use of OTPM in 2 s bins to stderr (how the settle and pre-fill below were chosen).
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

/**
 * Independent runs with the generate concurrency sized to the limits, each with a fresh simulator, a
 * flushed Redis (fresh limiter state and keys, its own prefix), its own 2 worker processes, its own
 * requirements and its own settle.
 */
const RUNS = Number(process.env['BENCH_RL_RUNS'] ?? 3);
/**
 * Runs at the default concurrency (the baseline), set up the same way and alternating with the sized
 * ones (sized, default, sized, default, …): as many, so the baseline is a median too (each costs some 30 s).
 */
const DEFAULT_RUNS = Number(process.env['BENCH_RL_DEFAULT_RUNS'] ?? 3);
/**
 * Requirements of each sized run: enough for SETTLE_MS of settle, then a steady-state window of some
 * 13 s (about 70 replies), then the tail; a run takes some 25 s.
 */
const N = Number(process.env['BENCH_RL_N'] ?? 115);
/** Requirements of each run at the default concurrency (fewer reach the model per second, 32 slots of tail): a window of some 13 s. */
const DEFAULT_N = Number(process.env['BENCH_RL_DEFAULT_N'] ?? 110);
const PROCESSES = 2;
const SEED = 42;
const MODEL = 'claude-sonnet-4-6';
/** Sonnet's first usage tier (50 RPM, 30,000 ITPM, 8,000 OTPM) ×30: the same shape, a run in about a minute. */
const LIMITS = { rpm: 1500, itpm: 900_000, otpm: 240_000 } as const;
const TTFT_MS = 300;
const TOKENS_PER_SECOND = 400;
/**
 * What both sides' buckets hold when the batch is submitted, in ms of refill: about what the pool of
 * requests in flight holds in steady state (some 12 replies × ~3,000 max_tokens ≈ 36,000 output
 * tokens, 9 s of OTPM). From empty buckets that pool has to be paid out of the refill first: OTPM
 * admits max_tokens and gets the unused ~3/4 back only when a reply ends, so the rate of admissions
 * climbs geometrically for some 10–20 s (use of OTPM about 30% for the first 10 s, the old 30 s
 * settle of a single run). Pre-filled, the pool fills at the first request and the use of OTPM is
 * about at the limit from there on (BENCH_RL_TRACE), so each run can have its own short settle.
 */
const PREFILL_MS = Number(process.env['BENCH_RL_PREFILL_MS'] ?? 9_000);
/**
 * Steady state is measured from this long after the first request to the arrival of the request after
 * which fewer jobs are left than the generate slots (from then on the queue cannot keep the limit busy:
 * the run's tail, not the limiter): the pool of requests in flight and the limiter's first send-backs
 * settle in this time.
 */
const SETTLE_MS = Number(process.env['BENCH_RL_SETTLE_MS'] ?? 6_000);
/**
 * The runs at the default concurrency start their window at the same point: a comparison of the two
 * at the same stage of a run.
 */
const DEFAULT_SETTLE_MS = Number(process.env['BENCH_RL_DEFAULT_SETTLE_MS'] ?? SETTLE_MS);
/** The shortest steady state a run may have and still count (otherwise too few requirements for the settle). */
const MIN_WINDOW_MS = 8_000;
/** How often the simulator's ledger is sampled. */
const POLL_MS = 50;
const RUN_TIMEOUT_MS = 10 * 60_000;
const TARGET = { saturation: 0.95, share429: 0.01 } as const;
/**
 * Generate jobs per worker process, sized to the limits: OTPM 240,000/min ÷ ~750 output tokens an
 * agent ≈ 5.3 replies/s, × ~2.2 s a reply ≈ 12 requests in flight; 8 per process gives the 2 processes
 * a third more than that. The default (16 per process, nearly 3× that) runs beside it.
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
  /** Requests answered 429. */
  rejected: number;
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
    rejected: sim.ledger.responses429,
    used: { requests: messages.realtime, input: t.input + t.cacheCreation, output: t.output },
    level: perLimit((l) => levels[BUCKET[l]] ?? 0),
  };
}

/** The steady-state window of a run. */
interface WindowFigures {
  /** Share of each limit: what completed replies counted against it over its rate (replyShares). */
  share: Record<Limit, number>;
  windowS: number;
  /** The same window by the simulator's bucket accounting (bucketShares): a cross-check. */
  bucketShare: Record<Limit, number>;
  /** Messages requests that arrived in the window, and how many of them were answered 429. */
  requests: number;
  responses429: number;
}

interface RunFigures {
  /** The steady state, from the settle after the first request to the tail. */
  steady: WindowFigures;
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

const pct = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)}%`;

/** Prints a run's use of OTPM (completed replies and the bucket's accounting) in 2 s bins from its first request. */
function trace(label: string, samples: Sample[], first: Sample, from: Sample, tailStart: Sample): void {
  const BIN_MS = 2_000;
  for (let t = first.t; t < samples.at(-1)!.t; t += BIN_MS) {
    const [a, b] = [at(samples, t), at(samples, t + BIN_MS)];
    if (b.t <= a.t) break;
    process.stderr.write(`${label} ${((t - first.t) / 1000).toFixed(0).padStart(3)} s: OTPM ${pct(replyShares(a, b).output, 0).padStart(5)} (bucket ${pct(bucketShares(a, b).output, 0).padStart(5)}), ${b.arrived - a.arrived} requests, ${b.rejected - a.rejected} 429s, bucket holds ${b.level.output.toFixed(0)}\n`);
  }
  process.stderr.write(`${label}: steady state ${((from.t - first.t) / 1000).toFixed(1)}–${((tailStart.t - first.t) / 1000).toFixed(1)} s after the first request\n`);
}

async function runOnce(redis: BenchRedis, run: number, generate: number, n: number, settleMs: number): Promise<RunFigures> {
  await redis.flush();
  const prefix = `{afrl${run}}`;
  // The simulator's clock runs PREFILL_MS ahead once its buckets are drained: they then hold PREFILL_MS of
  // refill. That clock drives only its buckets, cache TTLs and batch times; replies are paced by performance.now().
  const clock = { aheadMs: 0 };
  const sim = await startSimulator({ seed: run + 1, ttftMs: TTFT_MS, tokensPerSecond: TOKENS_PER_SECOND, limits: LIMITS, now: () => Date.now() + clock.aheadMs });
  const workers: WorkerProcess[] = [];
  let conn: FactoryConnection | undefined;
  const samples: Sample[] = [];
  const poll = setInterval(() => samples.push(sample(sim)), POLL_MS);
  try {
    workers.push(...(await Promise.all(Array.from({ length: PROCESSES }, () => spawnWorker(workerEnv(redis, prefix, sim, generate))))));
    conn = await connect({ redisUrl: redis.url, prefix }, { logger: createLogger({}, { level: 'error' }) });
    // Both sides start with buckets holding PREFILL_MS of refill (about the steady pool of requests in
    // flight), not full: the limits bind from the first request.
    sim.drainLimits();
    clock.aheadMs = PREFILL_MS;
    const ours = new RateLimiter({ redis: conn.redis, prefix, limits: LIMITS });
    // Ours starts full at the limit less its transit allowance: what it holds beyond PREFILL_MS is spent.
    const spent = 1 - (PREFILL_MS + ours.transitMs) / 60_000;
    await ours.reserve({ requests: LIMITS.rpm * spent, input: LIMITS.itpm * spent, output: LIMITS.otpm * spent }, 60_000);
    const started = performance.now();
    const batch = await submitBatch(conn, syntheticRequirements(n, SEED + run).map((requirement, i) => ({ id: `r${i}`, requirement })), { useCache: false });
    const done = await waitForBatch(conn, batch.id, RUN_TIMEOUT_MS);
    const seconds = (performance.now() - started) / 1000;
    const results = [...(await storedResults(conn, batch.id)).values()];
    clearInterval(poll);
    samples.push(sample(sim));

    const first = samples.find((s) => s.arrived > 0)!;
    const last = samples.at(-1)!;
    const tailStart = samples.find((s) => s.arrived >= last.arrived - PROCESSES * generate)!;
    const lastReply = samples.find((s) => s.used.requests === last.used.requests)!;
    const from = at(samples, first.t + settleMs);
    if (process.env['BENCH_RL_TRACE']) trace(`run ${run + 1} (generate=${generate})`, samples, first, from, tailStart);
    if (tailStart.t - from.t < MIN_WINDOW_MS) throw new Error(`run ${run + 1}: the steady state lasted ${((tailStart.t - from.t) / 1000).toFixed(1)} s: too few requirements (${n}) for a ${settleMs / 1000} s settle`);
    const workerIds = [...new Set(results.map((r) => r.w))];
    return {
      steady: {
        share: replyShares(from, tailStart),
        bucketShare: bucketShares(from, tailStart),
        windowS: (tailStart.t - from.t) / 1000,
        requests: tailStart.arrived - from.arrived,
        responses429: tailStart.rejected - from.rejected,
      },
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
const oversubscribed: RunFigures[] = [];
const report = (label: string, r: RunFigures): void => {
  const w = r.steady;
  const shown = LIMITS_ORDER.map((l) => `${l} ${pct(w.share[l])}`).join(', ');
  process.stderr.write(`${label}, steady state (${w.windowS.toFixed(0)} s): ${shown} (output by the bucket ${pct(w.bucketShare.output)}); 429s ${w.responses429} of ${w.requests}\n`);
  process.stderr.write(`${label}: ${r.completed} completed, 429s ${r.responses429} of ${r.requests}, ${r.seconds.toFixed(0)} s (${((performance.now() - began) / 1000).toFixed(0)} s)\n`);
};
try {
  // Alternating, so that a change in the machine's load over the benchmark falls on both alike.
  for (let k = 0; k < Math.max(RUNS, DEFAULT_RUNS); k++) {
    if (k < RUNS) {
      const r = await runOnce(redis, 2 * k, SIZED_GENERATE, N, SETTLE_MS);
      sized.push(r);
      report(`generate=${SIZED_GENERATE}, run ${k + 1} of ${RUNS}`, r);
      await sleep(500);
    }
    if (k < DEFAULT_RUNS) {
      const r = await runOnce(redis, 2 * k + 1, DEFAULT_CONCURRENCY.generate, DEFAULT_N, DEFAULT_SETTLE_MS);
      oversubscribed.push(r);
      report(`generate=${DEFAULT_CONCURRENCY.generate}, run ${k + 1} of ${DEFAULT_RUNS}`, r);
      await sleep(500);
    }
  }
} finally {
  await redis.stop();
}

const ofRuns = (runs: RunFigures[], pick: (r: RunFigures) => number): number => median(runs.map(pick));
const pctSpread = (runs: RunFigures[], pick: (r: RunFigures) => number, digits = 1): string => `${pct(Math.min(...runs.map(pick)), digits)}–${pct(Math.max(...runs.map(pick)), digits)}`;
const ratio = (pick: (r: RunFigures) => number): string => {
  const base = ofRuns(oversubscribed, pick);
  return base > 0 ? `${(ofRuns(sized, pick) / base).toFixed(2)}×` : '—';
};
const share429 = (r: RunFigures): number => (r.requests ? r.responses429 / r.requests : 0);
const sum = (runs: RunFigures[], pick: (r: RunFigures) => number): number => runs.reduce((total, r) => total + pick(r), 0);
const all429 = (runs: RunFigures[]): string => `${sum(runs, (r) => r.responses429)} of ${sum(runs, (r) => r.requests)}${runs.length > 1 ? ' in all' : ''}`;
// The binding limit: the one the sized runs used most of.
const binding = LIMITS_ORDER.reduce((a, b) => (ofRuns(sized, (r) => r.steady.share[b]) > ofRuns(sized, (r) => r.steady.share[a]) ? b : a));
const saturation = ofRuns(sized, (r) => r.steady.share[binding]);
const whole429 = ofRuns(sized, share429);
const sdkVersion = (JSON.parse(readFileSync(new URL('../node_modules/@anthropic-ai/sdk/package.json', import.meta.url), 'utf8')) as { version: string }).version;
const windowS = (r: RunFigures): number => r.steady.windowS;
const settle = SETTLE_MS / 1000;
const prefill = PREFILL_MS / 1000;
const windowsShown = `${ofRuns(sized, windowS).toFixed(0)} s (median; ${spread(sized.map(windowS))} s)`;
const oneBaseline = oversubscribed.length === 1;
const defaultWindowsShown = oneBaseline ? `${windowS(oversubscribed[0]!).toFixed(0)} s` : `${ofRuns(oversubscribed, windowS).toFixed(0)} s (${spread(oversubscribed.map(windowS))} s)`;
/** A cell of the default column: the median of its runs, their spread in brackets when there are several. */
const baseline = (pick: (r: RunFigures) => number, digits = 1): string => `${pct(ofRuns(oversubscribed, pick), digits)}${oneBaseline ? '' : ` (${pctSpread(oversubscribed, pick, digits)})`}`;
const baselineS = (pick: (r: RunFigures) => number): string => `${ofRuns(oversubscribed, pick).toFixed(0)}${oneBaseline ? '' : ` (${spread(oversubscribed.map(pick))})`}`;
const order = Array.from({ length: Math.max(RUNS, DEFAULT_RUNS) }, (_, k) => [...(k < RUNS ? ['sized'] : []), ...(k < DEFAULT_RUNS ? ['default'] : [])]).flat();
const runsOf = (n: number): string => (n === 1 ? '1 run' : `${n} runs`);
const perWorker = (runs: RunFigures[]): string => runs.map((r) => r.perWorker.join(' / ')).join(', ');

const section = [
  '## LLM rate-limit saturation: 2 worker processes against the simulator\'s limits',
  '',
  `Machine: ${machine()}; ${versions(redis.version)}, ${REDIS_SETTINGS}; \`@anthropic-ai/sdk\` ${sdkVersion} against the Messages API simulator in the benchmark's process on 127.0.0.1. ${RUNS} independent runs with the generate concurrency sized to the limits and ${runsOf(DEFAULT_RUNS)} with the default concurrency (the baseline), alternating (${order.join(', ')}); each run measures one steady-state window, from ${settle} s after its first request to its tail: ${windowsShown} in the sized runs, ${defaultWindowsShown} at the default concurrency. Figures are medians of the ${RUNS} sized runs, spreads min–max; the baseline column is ${oneBaseline ? 'its one run (a one-run comparison: a run of it costs some 33 s of the whole benchmark\'s 10 minutes)' : `the median of its ${DEFAULT_RUNS} runs (min–max)`}; ratios are sized ÷ default. Whole benchmark: ${((performance.now() - began) / 1000).toFixed(0)} s.`,
  '',
  `Each run: a fresh simulator, Redis flushed (fresh limiter state, its own key prefix), ${PROCESSES} new \`agent-factory worker\` processes (\`AF_PROVIDER=anthropic\`, every tier on \`${MODEL}\`, research from the bundled docs) and a batch of distinct synthetic requirements (${N} in each sized run, ${DEFAULT_N} in each at the default concurrency; seed ${SEED} + run, no agents cache). The simulator enforces rpm ${LIMITS.rpm.toLocaleString('en-US')}, itpm ${LIMITS.itpm.toLocaleString('en-US')}, otpm ${LIMITS.otpm.toLocaleString('en-US')} (Sonnet's first usage tier ×30) as the API does — token buckets refilled continuously, ITPM counting uncached input and cache writes, OTPM taking max_tokens (the provider asks ${maxTokensFor('simple', 8192).toLocaleString('en-US')} / ${maxTokensFor('standard', 8192).toLocaleString('en-US')} / ${maxTokensFor('complex', 8192).toLocaleString('en-US')} for simple / standard / complex, what each tier's length gate can accept) at admission and giving the unused part back when the reply ends — and answers at ttft ${TTFT_MS} ms + ${TOKENS_PER_SECOND} output tokens/s. The workers get the same limits in \`AF_RATE_LIMIT\`: one limiter in Redis for both processes, reserving before each request and settling after it. Both the simulator's buckets and ours start holding ${prefill} s of refill, not full (\`sim.drainLimits()\` with the simulator's clock then moved ${prefill} s ahead, and one reservation of all but ${prefill} s of a minute): about what the pool of requests in flight holds in steady state (some 12 replies × ~3,000 max_tokens ≈ ${((LIMITS.otpm * PREFILL_MS) / 60_000).toLocaleString('en-US')} output tokens), so the limits bind from the first request and a run starts near its steady state instead of paying that pool out of the refill first.`,
  '',
  `Share of a limit used, in steady state = what the replies completed in the window counted against the limit ÷ what the limit's rate allowed in the window; cross-checked by the simulator's own bucket accounting over the same window (taken = level at the start + refill − level at the end, where a reply in flight holds its whole max_tokens: this one moves with the number of replies in flight at the window's two edges). A run's steady state runs from ${settle} s after its first request to the arrival of the request after which fewer jobs are left than there are generate slots (the run's tail: from then on the queue can no longer keep the limit busy, and what the bucket gathers is never asked for), sampling the simulator's ledger and buckets every ${POLL_MS} ms. From empty buckets (the set-up of the earlier single run) the use of OTPM stayed near 30% for some 10 s and reached the limit only after 10–20 s: OTPM takes max_tokens and gives about 3/4 of it back only when a reply ends, so the pool of requests in flight is paid out of the refill first; that needed a 30 s settle, too long to pay ${RUNS} times. Pre-filled, the use of OTPM is about at the limit from the first seconds (\`BENCH_RL_TRACE=1\` prints each run in 2 s bins; in 3 trial sized runs of 170 requirements the share from the first request to the tail was 98–100%, from 6 s on 97–101%, and the bucket's cross-check 92–101%: the pre-fill is the pool, not extra capacity spent in the window); the ${settle} s settle leaves out the pool filling and the limiter's first send-backs. At the default concurrency the use of the limit rises more slowly and has no settled level this early: its window, from the same ${DEFAULT_SETTLE_MS / 1000} s after the first request to its tail, compares the two at the same stage of a run. The binding limit is the one most used. 429 share = requests answered 429 ÷ Messages requests.`,
  '',
  `| measure | generate ${SIZED_GENERATE} per process (sized to the limits), median of ${RUNS} runs | spread (min–max) | target | generate ${DEFAULT_CONCURRENCY.generate} per process (the default, the baseline), ${oneBaseline ? '1 run' : `median of ${DEFAULT_RUNS} runs (min–max)`} | sized ÷ default |`,
  '|---|---|---|---|---|---|',
  ...LIMITS_ORDER.map((l) => {
    const isBinding = l === binding;
    const pick = (r: RunFigures): number => r.steady.share[l];
    const value = ofRuns(sized, pick);
    const shown = isBinding ? `**${pct(value)}**` : pct(value);
    return `| ${isBinding ? '**' : ''}share of ${LIMIT_OF[l].name} used, steady state${isBinding ? ' — the binding limit**' : ''} | ${shown} | ${pctSpread(sized, pick)} | ${isBinding ? `≥ ${pct(TARGET.saturation, 0)} ${mark(value >= TARGET.saturation)}` : '—'} | ${baseline(pick)} | ${isBinding ? `**${ratio(pick)}**` : ratio(pick)} |`;
  }),
  `| **requests answered 429**, the whole run | **${pct(whole429, 2)}** (${all429(sized)}) | ${pctSpread(sized, share429, 2)} | ≤ ${pct(TARGET.share429, 0)} ${mark(whole429 <= TARGET.share429)} | ${pct(ofRuns(oversubscribed, share429), 2)} (${oneBaseline ? '' : `${pctSpread(oversubscribed, share429, 2)}; `}${all429(oversubscribed)}) | ${ratio(share429)} |`,
  `| steady-state window, s | ${ofRuns(sized, windowS).toFixed(0)} | ${spread(sized.map(windowS))} | — | ${baselineS(windowS)} | — |`,
  `| ${LIMIT_OF[binding].name}: taken from the simulator's bucket ÷ its refill, same window (cross-check) | ${pct(ofRuns(sized, (r) => r.steady.bucketShare[binding]))} | ${pctSpread(sized, (r) => r.steady.bucketShare[binding])} | — | ${baseline((r) => r.steady.bucketShare[binding])} | ${ratio((r) => r.steady.bucketShare[binding])} |`,
  `| ${LIMIT_OF[binding].name}: completed replies' share of the limit's rate over the whole run (first request to last reply, start-up and tail included) | ${pct(ofRuns(sized, (r) => r.wholeShare[binding]))} | ${pctSpread(sized, (r) => r.wholeShare[binding])} | — | ${baseline((r) => r.wholeShare[binding])} | ${ratio((r) => r.wholeShare[binding])} |`,
  `| wall time, submit to the last result, s | ${ofRuns(sized, (r) => r.seconds).toFixed(0)} | ${spread(sized.map((r) => r.seconds))} | — | ${baselineS((r) => r.seconds)} | — (${N} and ${DEFAULT_N} requirements) |`,
  '',
  `All runs: ${sum(sized, (r) => r.completed)} of ${RUNS * N} and ${sum(oversubscribed, (r) => r.completed)} of ${DEFAULT_RUNS * DEFAULT_N} completed, ${sum([...sized, ...oversubscribed], (r) => r.failed)} failed, ${sum(sized, (r) => r.fromModel)} and ${sum(oversubscribed, (r) => r.fromModel)} written by the model and passing every gate (not degraded); agents per worker process ${perWorker(sized)} (sized) and ${perWorker(oversubscribed)} (default). The whole-run share is lower by construction: the first seconds fill the pool of requests in flight, and at the end the last replies stream while nothing is left to send.`,
  '',
  `Why concurrency matters: the limiter gives each reservation its own start time and sends a job whose start is more than ${DEFAULT_MAX_WAIT_MS / 1000} s away back to the queue, pausing the stage's fetching on every worker for the rest of that wait. Those waits are computed from max_tokens, before the unused part of earlier reservations comes back; with ${DEFAULT_CONCURRENCY.generate} generate jobs per process, many more jobs than the limit admits compete for slots, so the stage is paused longer than the refunds make necessary and the OTPM bucket fills up unused meanwhile. Sized near the limit's own pool of requests in flight, few jobs are sent back and the limit is used in full. \`AF_CONCURRENCY=generate=N\` is the setting.`,
].join('\n');

writeSection('ratelimit', section);
process.stdout.write(`${section}\n`);
process.stderr.write(`ratelimit: ${LIMIT_OF[binding].name} ${pct(saturation)} (median of ${RUNS} runs, ${pctSpread(sized, (r) => r.steady.share[binding])}), 429s ${pct(whole429, 2)}; ${((performance.now() - began) / 1000).toFixed(0)} s\n`);
