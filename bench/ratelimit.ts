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

/**
 * Requirements of the run with the generate concurrency sized to the limits: enough for SETTLE_MS of
 * start-up, then WINDOWS steady-state windows of about 11 s (some 55 replies each), then the tail.
 */
const N = Number(process.env['BENCH_RL_N'] ?? 300);
/** Requirements of the one run at the default concurrency (fewer reach the model per second): one window of about 11 s. */
const DEFAULT_N = Number(process.env['BENCH_RL_DEFAULT_N'] ?? 135);
/** The sized run's steady state is cut into this many consecutive windows of equal length. */
const WINDOWS = Number(process.env['BENCH_RL_WINDOWS'] ?? 3);
const PROCESSES = 2;
const SEED = 42;
const MODEL = 'claude-sonnet-4-6';
/** Sonnet's first usage tier (50 RPM, 30,000 ITPM, 8,000 OTPM) ×30: the same shape, a run in about a minute. */
const LIMITS = { rpm: 1500, itpm: 900_000, otpm: 240_000 } as const;
const TTFT_MS = 300;
const TOKENS_PER_SECOND = 400;
/**
 * Steady state is measured from this long after the first request to the arrival of the request after
 * which fewer jobs are left than the generate slots (from then on the queue cannot keep the limit busy:
 * the run's tail, not the limiter). From empty buckets the limiter takes about this long to settle:
 * the pool of requests in flight fills for some 10 s, then the use of OTPM dips below the limit for
 * another 10 and catches up above it; a window that starts earlier measures that start-up, not the
 * steady state (the earlier 10 s start needed runs of 300 and 50 s windows to average it out).
 */
const SETTLE_MS = 30_000;
/**
 * The run at the default concurrency has no settled level this early (its use of the limit still
 * rises at 40 s): its one window starts here, a comparison of the two at the same stage, not a steady state.
 */
const DEFAULT_SETTLE_MS = 20_000;
/** How often the simulator's ledger is sampled. */
const POLL_MS = 50;
const RUN_TIMEOUT_MS = 10 * 60_000;
const TARGET = { saturation: 0.95, share429: 0.01 } as const;
/**
 * Generate jobs per worker process, sized to the limits: OTPM 240,000/min ÷ ~750 output tokens an
 * agent ≈ 5.3 replies/s, × ~2.2 s a reply ≈ 12 requests in flight; 8 per process gives the 2 processes
 * a third more than that. The default (16 per process, nearly 3× that) runs once beside it, shorter.
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

/** One steady-state window of a run. */
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
  /** The steady state, from SETTLE_MS after the first request to the tail, in consecutive windows of equal length. */
  windows: WindowFigures[];
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

async function runOnce(redis: BenchRedis, run: number, generate: number, n: number, windows: number, settleMs: number): Promise<RunFigures> {
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
    if (tailStart.t - from.t < 5_000) throw new Error(`run ${run + 1}: the steady state lasted ${((tailStart.t - from.t) / 1000).toFixed(1)} s: too few requirements (${n}) for a ${settleMs / 1000} s start-up`);
    const edges = Array.from({ length: windows + 1 }, (_, k) => (k === windows ? tailStart : at(samples, from.t + ((tailStart.t - from.t) * k) / windows)));
    const workerIds = [...new Set(results.map((r) => r.w))];
    return {
      windows: edges.slice(1).map((to, k) => {
        const start = edges[k]!;
        return {
          share: replyShares(start, to),
          bucketShare: bucketShares(start, to),
          windowS: (to.t - start.t) / 1000,
          requests: to.arrived - start.arrived,
          responses429: to.rejected - start.rejected,
        };
      }),
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
let sized: RunFigures;
let oversubscribed: RunFigures;
const report = (label: string, r: RunFigures): void => {
  for (const [k, w] of r.windows.entries()) {
    const shown = LIMITS_ORDER.map((l) => `${l} ${(100 * w.share[l]).toFixed(1)}%`).join(', ');
    process.stderr.write(`${label}, window ${k + 1}/${r.windows.length} (${w.windowS.toFixed(0)} s): ${shown} (output by the bucket ${(100 * w.bucketShare.output).toFixed(1)}%); 429s ${w.responses429} of ${w.requests}\n`);
  }
  process.stderr.write(`${label}: ${r.completed} completed, 429s ${r.responses429} of ${r.requests}, ${r.seconds.toFixed(0)} s (${((performance.now() - began) / 1000).toFixed(0)} s)\n`);
};
try {
  sized = await runOnce(redis, 0, SIZED_GENERATE, N, WINDOWS, SETTLE_MS);
  report(`generate=${SIZED_GENERATE}`, sized);
  await sleep(500);
  oversubscribed = await runOnce(redis, 1, DEFAULT_CONCURRENCY.generate, DEFAULT_N, 1, DEFAULT_SETTLE_MS);
  report(`generate=${DEFAULT_CONCURRENCY.generate}`, oversubscribed);
} finally {
  await redis.stop();
}

const windows = sized.windows;
const medianOf = (pick: (w: WindowFigures) => number): number => median(windows.map(pick));
const pct = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)}%`;
const pctSpread = (pick: (w: WindowFigures) => number, digits = 1): string => `${pct(Math.min(...windows.map(pick)), digits)}–${pct(Math.max(...windows.map(pick)), digits)}`;
const share429 = (w: WindowFigures): number => (w.requests ? w.responses429 / w.requests : 0);
// The binding limit: the one the windows used most of.
const binding = LIMITS_ORDER.reduce((a, b) => (medianOf((w) => w.share[b]) > medianOf((w) => w.share[a]) ? b : a));
const saturation = medianOf((w) => w.share[binding]);
const whole429 = sized.responses429 / sized.requests;
const sdkVersion = (JSON.parse(readFileSync(new URL('../node_modules/@anthropic-ai/sdk/package.json', import.meta.url), 'utf8')) as { version: string }).version;
const def = oversubscribed.windows[0]!;
const settle = SETTLE_MS / 1000;

const section = [
  '## LLM rate-limit saturation: 2 worker processes against the simulator\'s limits',
  '',
  `Machine: ${machine()}; ${versions(redis.version)}, ${REDIS_SETTINGS}; \`@anthropic-ai/sdk\` ${sdkVersion} against the Messages API simulator in the benchmark's process on 127.0.0.1. 1 run with the generate concurrency sized to the limits, its steady state cut into ${WINDOWS} consecutive windows (figures are medians of the windows, spreads min–max), then 1 shorter run with the default concurrency (one window). Whole benchmark: ${((performance.now() - began) / 1000).toFixed(0)} s.`,
  '',
  `Each run: ${PROCESSES} \`agent-factory worker\` processes (\`AF_PROVIDER=anthropic\`, every tier on \`${MODEL}\`, research from the bundled docs) and a batch of distinct synthetic requirements (${N} in the sized run, ${DEFAULT_N} at the default concurrency; seed ${SEED} + run, no agents cache). The simulator enforces rpm ${LIMITS.rpm.toLocaleString('en-US')}, itpm ${LIMITS.itpm.toLocaleString('en-US')}, otpm ${LIMITS.otpm.toLocaleString('en-US')} (Sonnet's first usage tier ×30) as the API does — token buckets refilled continuously, ITPM counting uncached input and cache writes, OTPM taking max_tokens (the provider asks ${maxTokensFor('simple', 8192).toLocaleString('en-US')} / ${maxTokensFor('standard', 8192).toLocaleString('en-US')} / ${maxTokensFor('complex', 8192).toLocaleString('en-US')} for simple / standard / complex, what each tier's length gate can accept) at admission and giving the unused part back when the reply ends — and answers at ttft ${TTFT_MS} ms + ${TOKENS_PER_SECOND} output tokens/s. The workers get the same limits in \`AF_RATE_LIMIT\`: one limiter in Redis for both processes, reserving before each request and settling after it. Both the simulator's buckets and ours start empty (\`sim.drainLimits()\` and one reservation of a whole minute), as after a minute at full load, so the limits bind from the first request.`,
  '',
  `Share of a limit used, in steady state = what the replies completed in a window counted against the limit ÷ what the limit's rate allowed in the window; cross-checked by the simulator's own bucket accounting over the same window (taken = level at the start + refill − level at the end, where a reply in flight holds its whole max_tokens: this one moves with the number of replies in flight at the window's two edges). The steady state runs from ${settle} s after the first request to the arrival of the request after which fewer jobs are left than there are generate slots (the run's tail: from then on the queue can no longer keep the limit busy, and what the bucket gathers is never asked for), sampling the simulator's ledger and buckets every ${POLL_MS} ms. From empty buckets the limiter needs about ${settle} s to settle: the pool of requests in flight fills for some 10 s, then the use of OTPM dips below the limit and catches up above it, so a window that starts earlier measures that start-up (the earlier 10 s start needed runs of 300 and 50 s windows to average it out). Paying that start-up once, the sized figures are ${WINDOWS} consecutive windows of one run rather than ${WINDOWS} runs of their own, which would each pay it. At the default concurrency the use of the limit rises more slowly (in longer runs it was still rising at 40 s): its one window, from ${DEFAULT_SETTLE_MS / 1000} s after its first request to its tail, catches that rise, not a settled level. The binding limit is the one most used. 429 share = requests answered 429 ÷ Messages requests.`,
  '',
  `| measure | generate ${SIZED_GENERATE} per process (sized to the limits), median of ${WINDOWS} windows | spread (min–max) | target | generate ${DEFAULT_CONCURRENCY.generate} per process (the default), 1 window |`,
  '|---|---|---|---|---|',
  ...LIMITS_ORDER.map((l) => {
    const isBinding = l === binding;
    const value = medianOf((w) => w.share[l]);
    const shown = isBinding ? `**${pct(value)}**` : pct(value);
    return `| ${isBinding ? '**' : ''}share of ${LIMIT_OF[l].name} used, steady state${isBinding ? ' — the binding limit**' : ''} | ${shown} | ${pctSpread((w) => w.share[l])} | ${isBinding ? `≥ ${pct(TARGET.saturation, 0)} ${mark(value >= TARGET.saturation)}` : '—'} | ${pct(def.share[l])} |`;
  }),
  `| **requests answered 429**, the whole run | **${pct(whole429, 2)}** (${sized.responses429} of ${sized.requests}) | windows ${pctSpread(share429, 2)} | ≤ ${pct(TARGET.share429, 0)} ${mark(whole429 <= TARGET.share429)} | ${pct(oversubscribed.responses429 / oversubscribed.requests, 2)} (${oversubscribed.responses429} of ${oversubscribed.requests}) |`,
  `| steady-state window, s | ${medianOf((w) => w.windowS).toFixed(0)} | ${spread(windows.map((w) => w.windowS))} | — | ${def.windowS.toFixed(0)} |`,
  `| ${LIMIT_OF[binding].name}: taken from the simulator's bucket ÷ its refill, same window (cross-check) | ${pct(medianOf((w) => w.bucketShare[binding]))} | ${pctSpread((w) => w.bucketShare[binding])} | — | ${pct(def.bucketShare[binding])} |`,
  `| ${LIMIT_OF[binding].name}: completed replies' share of the limit's rate over the whole run (first request to last reply, start-up and tail included) | ${pct(sized.wholeShare[binding])} | (one run) | — | ${pct(oversubscribed.wholeShare[binding])} |`,
  `| wall time, submit to the last result, s | ${sized.seconds.toFixed(0)} | (one run) | — | ${oversubscribed.seconds.toFixed(0)} |`,
  '',
  `Both runs: ${sized.completed} of ${N} and ${oversubscribed.completed} of ${DEFAULT_N} completed, ${sized.failed + oversubscribed.failed} failed, ${sized.fromModel} and ${oversubscribed.fromModel} written by the model and passing every gate (not degraded); agents per worker process ${sized.perWorker.join(' / ')} and ${oversubscribed.perWorker.join(' / ')}. The whole-run share is lower by construction: the first seconds fill the pool of requests in flight, and at the end the last replies stream while nothing is left to send.`,
  '',
  `Why concurrency matters: the limiter gives each reservation its own start time and sends a job whose start is more than ${DEFAULT_MAX_WAIT_MS / 1000} s away back to the queue, pausing the stage's fetching on every worker for the rest of that wait. Those waits are computed from max_tokens, before the unused part of earlier reservations comes back; with ${DEFAULT_CONCURRENCY.generate} generate jobs per process, many more jobs than the limit admits compete for slots, so the stage is paused longer than the refunds make necessary and the OTPM bucket fills up unused meanwhile. Sized near the limit's own pool of requests in flight, few jobs are sent back and the limit is used in full. \`AF_CONCURRENCY=generate=N\` is the setting.`,
].join('\n');

writeSection('ratelimit', section);
process.stdout.write(`${section}\n`);
