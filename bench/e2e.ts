/**
 * End-to-end offline throughput: a batch of distinct synthetic requirements through the four stage
 * queues by 1, 2 and 4 `agent-factory worker` processes, against bare BullMQ running four chained no-op
 * stages the same way (bench/bare/stages-worker.mjs) on the same private Redis. Then the Redis bytes
 * each finished requirement keeps (its own section of BENCHMARKS.md).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runPipeline } from '@agent-factory/core';
import { batchKeys, connect, DEFAULT_CONCURRENCY, getBatch, KEEP_COMPLETED, STAGES, submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { LocalDocsSource } from '@agent-factory/research';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { machine, writeSection } from './benchmarks-md.js';
import { mark, mb, memoryUsage, REDIS_SETTINGS, scanKeys, sleep, spawnWorker, startBenchRedis, usedMemory, versions, type BenchRedis } from './harness.js';
import { median, spread } from './stats.js';
import { syntheticRequirements } from './synthetic.js';

const N = Number(process.env['BENCH_E2E_N'] ?? 10_000);
const RUNS = Number(process.env['BENCH_E2E_RUNS'] ?? 3);
const PROCESSES = (process.env['BENCH_E2E_PROCESSES'] ?? '1,2,4').split(',').map(Number);
const TARGET_RATIO = 0.6;
const TARGET_BYTES = 4096;
const POLL_MS = 100;
const RUN_TIMEOUT_MS = 180_000;
const PREFIX = '{afbench}';
const BARE_WORKER = fileURLToPath(new URL('./bare/stages-worker.mjs', import.meta.url));

interface Stoppable {
  stop(): Promise<unknown>;
}

interface OursRun {
  rate: number;
  /** MEMORY USAGE of the batch's keys (batch hash, ids list, results hash, leftover item records) ÷ N. */
  batchBytes: number;
  /** MEMORY USAGE of the shared cache's keys (finished agents and docs answers) ÷ N. */
  cacheBytes: number;
  /** MEMORY USAGE of BullMQ's keys of the four stage queues, total (bounded: event streams, the latest completed jobs). */
  bullBytes: number;
  /** INFO used_memory after − before (everything left, workers still connected) ÷ N. */
  usedDelta: number;
}

/** Starts a bare stage worker process and waits for its "ready". */
function spawnBare(redis: BenchRedis, keep: boolean): Promise<Stoppable> {
  const child: ChildProcess = spawn(process.execPath, [BARE_WORKER], {
    env: { ...process.env, REDIS_URL: redis.url, BARE_CONCURRENCY: JSON.stringify(DEFAULT_CONCURRENCY), BARE_KEEP_COMPLETED: JSON.stringify(keep ? false : KEEP_COMPLETED) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      if (d.includes('ready')) resolve({ stop: () => (child.exitCode === null && child.kill('SIGTERM'), exited) });
    });
    void exited.then(() => reject(new Error(`bare worker exited before it was ready: ${stderr}`)));
  });
}

async function until(done: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what}: not done after ${RUN_TIMEOUT_MS} ms`);
    await sleep(POLL_MS);
  }
}

async function runOurs(redis: BenchRedis, processes: number, seed: number): Promise<OursRun> {
  await redis.flush();
  const workers = await Promise.all(Array.from({ length: processes }, () => spawnWorker({ REDIS_URL: redis.url, AF_PREFIX: PREFIX })));
  let conn: FactoryConnection | undefined;
  try {
    conn = await connect({ redisUrl: redis.url, prefix: PREFIX }, { logger: pino({ level: 'error' }) });
    const items = syntheticRequirements(N, seed).map((requirement, i) => ({ id: `r${i}`, requirement }));
    const before = await usedMemory(redis.client);
    const start = performance.now();
    const submitted = await submitBatch(conn, items, { name: `bench-${seed}` });
    const c = conn;
    let finished = submitted;
    await until(async () => {
      finished = (await getBatch(c, submitted.id)) ?? finished;
      return finished.state === 'completed';
    }, 'ours');
    const seconds = (performance.now() - start) / 1000;
    if (finished.counts.completed !== N) throw new Error(`ours: ${JSON.stringify(finished.counts)} of ${N}`);
    const keys = batchKeys(PREFIX, submitted.id);
    const batchKeysList = [keys.batch, keys.ids, keys.results, ...(await scanKeys(redis.client, `${PREFIX}:item:*`))];
    const run: OursRun = {
      rate: N / seconds,
      batchBytes: (await memoryUsage(redis.client, batchKeysList)) / N,
      cacheBytes: (await memoryUsage(redis.client, await scanKeys(redis.client, `${PREFIX}:cache:*`))) / N,
      bullBytes: await memoryUsage(redis.client, (await Promise.all(STAGES.map((s) => scanKeys(redis.client, `${PREFIX}:${s}:*`)))).flat()),
      usedDelta: ((await usedMemory(redis.client)) - before) / N,
    };
    return run;
  } finally {
    await conn?.close();
    await Promise.all(workers.map((w) => w.stop()));
  }
}

interface BareRun {
  rate: number;
  /** When every completed job is kept: MEMORY USAGE of every bare key but the event streams ÷ N. */
  keptBytes: number;
}

async function runBare(redis: BenchRedis, processes: number, keep = false): Promise<BareRun> {
  await redis.flush();
  const workers = await Promise.all(Array.from({ length: processes }, () => spawnBare(redis, keep)));
  const queue = new Queue('analyze', { connection: redis.client, prefix: 'bare', defaultJobOptions: { removeOnComplete: keep ? false : KEEP_COMPLETED } });
  try {
    const start = performance.now();
    for (let i = 0; i < N; i += 1000) {
      await queue.addBulk(Array.from({ length: Math.min(1000, N - i) }, (_, j) => ({ name: 'analyze', data: { b: 'b1', k: i + j }, opts: { jobId: `b1-${i + j}-analyze` } })));
    }
    await until(async () => Number(await redis.client.get('bare:done')) >= N, 'bare');
    const seconds = (performance.now() - start) / 1000;
    const kept = keep ? (await scanKeys(redis.client, 'bare:*')).filter((k) => !k.endsWith(':events')) : [];
    return { rate: N / seconds, keptBytes: (await memoryUsage(redis.client, kept)) / N };
  } finally {
    await queue.close();
    await Promise.all(workers.map((w) => w.stop()));
  }
}

/** Requirements/s of the same pipeline in this process, without queues (as bench/core.ts): the work a worker cannot skip. */
async function inProcessRate(): Promise<number> {
  const docs = new LocalDocsSource();
  for (const requirement of syntheticRequirements(300, 1)) await runPipeline({ requirement }, { docs });
  const requirements = syntheticRequirements(2000, 2);
  const start = performance.now();
  for (const requirement of requirements) await runPipeline({ requirement }, { docs });
  return requirements.length / ((performance.now() - start) / 1000);
}

const wallStart = performance.now();
const redis = await startBenchRedis();
const ours = new Map<number, OursRun[]>();
const bare = new Map<number, BareRun[]>();
let keptBare: BareRun;
let pipelineRate: number;
try {
  for (const processes of PROCESSES) {
    ours.set(processes, []);
    bare.set(processes, []);
    // Interleaved, so a noisy neighbour hurts both sides alike.
    for (let run = 0; run < RUNS; run++) {
      const o = await runOurs(redis, processes, 1000 + 10 * processes + run);
      ours.get(processes)!.push(o);
      const b = await runBare(redis, processes);
      bare.get(processes)!.push(b);
      process.stderr.write(`${processes} process(es), run ${run + 1}/${RUNS}: ours ${o.rate.toFixed(0)}/s, bare ${b.rate.toFixed(0)}/s (${(o.rate / b.rate).toFixed(2)}); ${o.batchBytes.toFixed(0)} B/requirement\n`);
    }
  }
  // Untimed: what bare BullMQ would keep per item if its completed jobs stayed.
  keptBare = await runBare(redis, 1, true);
  pipelineRate = await inProcessRate();
} finally {
  await redis.stop();
}

const concurrency = Object.entries(DEFAULT_CONCURRENCY).map(([s, n]) => `${s} ${n}`).join(', ');
const rates = (runs: { rate: number }[]): number[] => runs.map((r) => r.rate);
const med = (runs: Map<number, { rate: number }[]>, p: number): number => median(rates(runs.get(p)!));
const rows = PROCESSES.map((p) => {
  const o = rates(ours.get(p)!);
  const b = rates(bare.get(p)!);
  const ratio = median(o) / median(b);
  const paired = o.map((x, i) => x / (b[i] as number));
  return `| ${p} | **${median(o).toFixed(0)}** | ${spread(o)} | ${median(b).toFixed(0)} | ${spread(b)} | **${ratio.toFixed(2)}** | ${Math.min(...paired).toFixed(2)}–${Math.max(...paired).toFixed(2)} | ≥ ${TARGET_RATIO} ${mark(ratio >= TARGET_RATIO)} |`;
});
const first = PROCESSES[0]!;
// One core doing bare's queue work plus the pipeline's own work, and nothing else.
const ceiling = 1 / (1 / med(bare, first) + 1 / pipelineRate);
const keep = `removeOnComplete ${JSON.stringify(KEEP_COMPLETED)} as ours`;
const e2e = [
  '## End-to-end offline throughput vs bare BullMQ',
  '',
  `Machine: ${machine()}; ${versions(redis.version)}. Redis: ${REDIS_SETTINGS}. ${RUNS} runs per configuration and side, interleaved; fresh worker processes every run (their start-up is not timed).`,
  '',
  `Batch: ${N.toLocaleString('en')} distinct synthetic requirements (\`bench/synthetic.ts\`, a new seed per run), submitted with \`submitBatch\` from the benchmark process. ` +
    `Ours: N × \`agent-factory worker\` processes (all four stages, default concurrency ${concurrency}; provider offline, research from the bundled docs, shared cache on as shipped and empty at the start), ` +
    'timed from submit start until `getBatch` says completed, polled every 100 ms. ' +
    `Bare (\`bench/bare/stages-worker.mjs\`): N processes, each with four BullMQ Workers on one shared client and the same per-stage concurrency; each processor only adds the next stage's job with a deterministic id (no priority, ${keep}), the last one INCRs a counter; ` +
    `the benchmark addBulk's the ${N.toLocaleString('en')} first-stage jobs in chunks of 1,000 and polls the counter every 100 ms.`,
  '',
  '| worker processes | ours, requirements/s | spread | bare BullMQ, items/s | spread | ours ÷ bare | per-run ratios | target |',
  '|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
  ...(PROCESSES.length > 1
    ? [`Scaling against ${first} process: ${PROCESSES.slice(1).map((p) => `${p} processes ours ×${(med(ours, p) / med(ours, first)).toFixed(2)}, bare ×${(med(bare, p) / med(bare, first)).toFixed(2)}`).join('; ')} (2 cores shared by the workers, Redis and the producer).`, '']
    : []),
  `For scale: the same pipeline without queues runs ${pipelineRate.toFixed(0)} requirements/s in one process here (as \`bench/core.ts\`, measured in this run). ` +
    `One process doing bare's queue work plus that work and nothing else would reach 1 ÷ (1/${med(bare, first).toFixed(0)} + 1/${pipelineRate.toFixed(0)}) = ${ceiling.toFixed(0)}/s, a ratio of ${(ceiling / med(bare, first)).toFixed(2)}: against no-op stages the pipeline's own CPU bounds the ratio below the target; ` +
    `ours reaches ${((med(ours, first) / ceiling) * 100).toFixed(0)}% of that ceiling with ${first} process.`,
].join('\n');

const all = [...ours.values()].flat();
const batchBytes = all.map((r) => r.batchBytes);
const cacheBytes = all.map((r) => r.cacheBytes);
const usedDelta = all.map((r) => r.usedDelta);
const bytes = [
  '## Redis bytes per finished requirement',
  '',
  `Machine: ${machine()}; ${versions(redis.version)}. After each of the ${all.length} end-to-end runs of ours above (${N.toLocaleString('en')} distinct requirements, all completed): ` +
    'the sum of `MEMORY USAGE key SAMPLES 0` over the batch\'s keys (`packages/queue/src/keys.ts`: the batch hash, the ids list, the results hash, plus any item record left, none expected) ÷ requirements. ' +
    'For context: the shared cache\'s keys (`{prefix}:cache:*`: a copy of each finished agent for reuse, 7-day TTL, and the docs answers); BullMQ\'s own keys of the four stage queues (bounded, not per requirement: event streams and the latest 1,000 completed jobs per queue); ' +
    'and INFO `used_memory` after − before the batch ÷ requirements (everything left, allocator overhead included).',
  '',
  '| measure | median | spread (min–max) | target |',
  '|---|---|---|---|',
  `| bytes per finished requirement, the batch's keys | **${median(batchBytes).toFixed(0)}** | ${spread(batchBytes)} | ≤ ${TARGET_BYTES} ${mark(median(batchBytes) <= TARGET_BYTES)} |`,
  `| bytes per requirement, shared cache (agents + docs) | ${median(cacheBytes).toFixed(0)} | ${spread(cacheBytes)} | — |`,
  `| bytes per requirement, batch + cache | ${median(all.map((r) => r.batchBytes + r.cacheBytes)).toFixed(0)} | ${spread(all.map((r) => r.batchBytes + r.cacheBytes))} | — |`,
  `| INFO used_memory after − before, ÷ requirements | ${median(usedDelta).toFixed(0)} | ${spread(usedDelta)} | — |`,
  `| BullMQ's keys of the four stage queues after the batch, total | ${mb(median(all.map((r) => r.bullBytes)))} MB | | bounded |`,
  `| bare BullMQ if its completed jobs were kept (all 4 stage jobs, \`removeOnComplete: false\`; one untimed run), bytes per item | ${keptBare.keptBytes.toFixed(0)} | | — |`,
].join('\n');
writeSection('e2e', e2e);
writeSection('redis-bytes', bytes);
process.stdout.write(`${e2e}\n\n${bytes}\n\nbench/e2e.ts took ${((performance.now() - wallStart) / 1000).toFixed(0)} s\n`);
