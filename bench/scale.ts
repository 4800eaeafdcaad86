/**
 * Scale: the same kind of batch through 1, 2 and 4 `agent-factory worker` processes against the
 * Messages API simulator with latency on (LLM-bound), each against its concurrency ceiling; then an
 * offline batch on one Redis and on a 3-node local Redis Cluster. Offline 1 / 2 / 4 processes against
 * bare BullMQ is bench/e2e.ts's section.
 */
import { connect, createLogger, getBatch, submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { startSimulator } from '@agent-factory/sim';
import { startRedisCluster } from '../test/helpers/redis-cluster.js';
import { machine, writeSection } from './benchmarks-md.js';
import { REDIS_SETTINGS, sleep, spawnWorker, startBenchRedis, versions } from './harness.js';
import { median, spread } from './stats.js';
import { syntheticRequirements } from './synthetic.js';

const RUNS = Number(process.env['BENCH_SCALE_RUNS'] ?? 3);
const PROCESSES = [1, 2, 4];
/** LLM-bound batch size per run and the simulated latency. */
const LLM_N = Number(process.env['BENCH_SCALE_LLM_N'] ?? 64);
const TTFT_MS = 300;
const TOKENS_PER_S = 400;
const GENERATE_CONCURRENCY = 16;
/** Offline batch for the single Redis vs Redis Cluster comparison. */
const CLUSTER_N = Number(process.env['BENCH_SCALE_CLUSTER_N'] ?? 400);
const CLUSTER_PROCESSES = 2;
/** The untimed warm-up batch before the offline runs on each Redis. */
const OFFLINE_WARM_N = 150;
const quiet = createLogger({}, { level: 'error' });
const began = performance.now();
const elapsed = (): string => `${((performance.now() - began) / 1000).toFixed(0)} s`;
const fmtWaves = (w: number): string => (Number.isInteger(w) ? String(w) : w.toFixed(1));

/** Submits distinct requirements (no agents cache) and waits for the batch's end; requirements per second. */
async function runBatch(conn: FactoryConnection, n: number, seed: number): Promise<number> {
  const items = syntheticRequirements(n, seed).map((requirement, i) => ({ id: `s${i}`, requirement }));
  const started = performance.now();
  const batch = await submitBatch(conn, items, { useCache: false });
  for (;;) {
    const status = await getBatch(conn, batch.id);
    if (status?.finishedAt) {
      if (status.counts.completed !== n) throw new Error(`batch ended with ${status.counts.completed} of ${n} completed`);
      return n / ((performance.now() - started) / 1000);
    }
    await sleep(50);
  }
}

/** Worker processes for one run; stopped whatever happens. */
async function withWorkers<T>(count: number, env: NodeJS.ProcessEnv, work: () => Promise<T>): Promise<T> {
  const workers = await Promise.all(Array.from({ length: count }, () => spawnWorker(env)));
  try {
    return await work();
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

interface LlmRow {
  processes: number;
  rates: number[];
  ceilings: number[];
}

async function llmBound(): Promise<{ rows: LlmRow[]; redisVersion: string }> {
  const redis = await startBenchRedis();
  const sim = await startSimulator({ seed: 3, ttftMs: TTFT_MS, tokensPerSecond: TOKENS_PER_S });
  const rows: LlmRow[] = [];
  try {
    for (const processes of PROCESSES) {
      const row: LlmRow = { processes, rates: [], ceilings: [] };
      await redis.flush();
      const prefix = `{scale${processes}}`;
      const env = {
        REDIS_URL: redis.url, AF_PREFIX: prefix, AF_PROVIDER: 'anthropic', ANTHROPIC_API_KEY: 'sim-key', ANTHROPIC_BASE_URL: sim.url,
        AF_RESEARCH: 'local', AF_CONCURRENCY: `generate=${GENERATE_CONCURRENCY}`,
      };
      const conn = await connect({ redisUrl: redis.url, prefix }, { logger: quiet });
      try {
        // The row's worker processes serve its runs one batch after another (their start-up is not timed).
        await withWorkers(processes, env, async () => {
          for (let run = 0; run < RUNS; run++) {
            sim.ledger.reset();
            const rate = await runBatch(conn, LLM_N, 900 + run);
            // Mean simulated LLM time per agent from the ledger: each reply's ttft plus its output at the set pace.
            const replies = sim.ledger.requests.byEndpoint['POST /v1/messages'] ?? LLM_N;
            const llmMs = (replies * TTFT_MS + (sim.ledger.tokens.realtime.output / TOKENS_PER_S) * 1000) / LLM_N;
            row.rates.push(rate);
            row.ceilings.push((processes * GENERATE_CONCURRENCY) / (llmMs / 1000));
          }
        });
      } finally {
        await conn.close();
      }
      rows.push(row);
      process.stderr.write(`scale: ${processes} process(es) LLM-bound ${median(row.rates).toFixed(2)} agents/s (${elapsed()})\n`);
    }
    return { rows, redisVersion: redis.version };
  } finally {
    await sim.close();
    await redis.stop();
  }
}

async function offlineOn(url: string, label: string): Promise<number[]> {
  const rates: number[] = [];
  const prefix = `{scale${label}}`;
  const conn = await connect({ redisUrl: url, prefix }, { logger: quiet });
  try {
    // The same worker processes for every run on this Redis, after an untimed warm-up batch (JIT, connections, docs).
    await withWorkers(CLUSTER_PROCESSES, { REDIS_URL: url, AF_PREFIX: prefix, AF_RESEARCH: 'local' }, async () => {
      await runBatch(conn, OFFLINE_WARM_N, 600);
      for (let run = 0; run < RUNS; run++) rates.push(await runBatch(conn, CLUSTER_N, 700 + run));
    });
  } finally {
    await conn.close();
  }
  process.stderr.write(`scale: offline on ${label} ${median(rates).toFixed(0)} requirements/s (${elapsed()})\n`);
  return rates;
}

async function main(): Promise<void> {
  const started = performance.now();
  // The cluster starts in the background (three idle redis-servers meanwhile): it is needed last.
  const clusterStarting = startRedisCluster();
  clusterStarting.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
  let rows: LlmRow[];
  let redisVersion: string;
  let singleRates: number[];
  let clusterRates: number[];
  try {
    ({ rows, redisVersion } = await llmBound());
    const single = await startBenchRedis();
    try {
      singleRates = await offlineOn(single.url, 'single');
    } finally {
      await single.stop();
    }
    clusterRates = await offlineOn((await clusterStarting).url, 'cluster');
  } finally {
    await clusterStarting.then((cluster) => cluster.stop(), () => undefined);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  const llmTable = rows
    .map((r) => {
      const eff = r.rates.map((rate, i) => rate / (r.ceilings[i] ?? 1));
      return `| ${r.processes} | **${median(r.rates).toFixed(2)}** | ${spread(r.rates, 2)} | ${median(r.ceilings).toFixed(2)} | **${median(eff).toFixed(2)}** | ${spread(eff, 2)} | ${(median(r.rates) / median(rows[0]!.rates)).toFixed(2)} |`;
    })
    .join('\n');
  writeSection(
    'scale',
    `## Scale: 1, 2 and 4 worker processes (LLM-bound), one Redis vs a Redis Cluster (offline)

Machine: ${machine()}; ${versions(redisVersion)}. ${RUNS} runs per row; medians, spreads min–max. Whole benchmark: ${seconds} s.

**LLM-bound**: ${LLM_N} distinct synthetic requirements per run (no agents cache; ${PROCESSES.map((p) => `${fmtWaves(LLM_N / (p * GENERATE_CONCURRENCY))} wave${LLM_N === p * GENERATE_CONCURRENCY ? '' : 's'} of ${p * GENERATE_CONCURRENCY}`).join(' / ')} for ${PROCESSES.join(' / ')} processes) through N \`agent-factory worker\` processes (all four stages each, generate concurrency ${GENERATE_CONCURRENCY} per process, research from the bundled docs; the same processes serve a row's ${RUNS} runs, one batch after another) and the real SDK against the Messages API simulator with latency on (ttft ${TTFT_MS} ms + output at ${TOKENS_PER_S} tokens/s), which runs in the benchmark's process. Redis: ${REDIS_SETTINGS.replace('between runs', 'between rows')}. Ceiling = N × ${GENERATE_CONCURRENCY} in flight ÷ the mean simulated LLM time per agent (from the simulator's ledger: replies × ttft + output tokens ÷ pace); efficiency = throughput ÷ ceiling, submit to the last result (worker start-up excluded, the first and last waves included: with fewer waves they weigh more).

| worker processes | agents/s | spread | ceiling, agents/s | efficiency | spread | ÷ 1 process |
|---|---|---|---|---|---|---|
${llmTable}

**Redis Cluster**: the same offline batch (${CLUSTER_N} distinct synthetic requirements, no agents cache, offline generator, research from the bundled docs; ${CLUSTER_PROCESSES} worker processes serve the ${RUNS} runs on each Redis, one batch after another, after an untimed warm-up batch of ${OFFLINE_WARM_N}; timed from submit to the batch's end) on one private redis-server and on a private 3-master Redis Cluster (\`redis-cli --cluster create\`, no replicas, AOF off), every key under the prefix's hash tag.

| Redis | requirements/s | spread | ÷ single |
|---|---|---|---|
| single redis-server | **${median(singleRates).toFixed(0)}** | ${spread(singleRates)} | 1.00 |
| 3-node Redis Cluster | **${median(clusterRates).toFixed(0)}** | ${spread(clusterRates)} | ${(median(clusterRates) / median(singleRates)).toFixed(2)} |

On 2 cores the workers, the simulator and Redis share the CPU: more processes add event loops, not cores, so the LLM-bound rows show how far the pool keeps the simulated model busy rather than a linear speed-up; on machines of their own each worker process adds its ${GENERATE_CONCURRENCY} slots.`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
