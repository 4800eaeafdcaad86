/**
 * End-to-end offline throughput: a batch of distinct synthetic requirements through the four stage
 * queues by 1 and 2 `agent-factory worker` processes, against bare BullMQ running four chained no-op
 * stages the same way (bench/bare/stages-worker.mjs) on the same private Redis. Then the Redis bytes
 * each finished requirement keeps (its own section of BENCHMARKS.md).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { batchKeys, connect, DEFAULT_CONCURRENCY, getBatch, submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { machine, writeSection } from './benchmarks-md.js';
import { mark, memoryUsage, REDIS_SETTINGS, scanKeys, sleep, spawnWorker, startBenchRedis, usedMemory, versions, type BenchRedis } from './harness.js';
import { median, spread } from './stats.js';
import { syntheticRequirements } from './synthetic.js';

const N = Number(process.env['BENCH_E2E_N'] ?? 10_000);
const RUNS = Number(process.env['BENCH_E2E_RUNS'] ?? 3);
const PROCESSES = (process.env['BENCH_E2E_PROCESSES'] ?? '1,2').split(',').map(Number);
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
  /** MEMORY USAGE of the four stage queues' event streams (capped by BullMQ, not per requirement). */
  eventBytes: number;
  /** INFO used_memory after − before (everything left, workers still connected) ÷ N. */
  usedDelta: number;
}

/** Starts a bare stage worker process and waits for its "ready". */
function spawnBare(redis: BenchRedis, keep: boolean): Promise<Stoppable> {
  const child: ChildProcess = spawn(process.execPath, [BARE_WORKER], {
    env: { ...process.env, REDIS_URL: redis.url, BARE_CONCURRENCY: JSON.stringify(DEFAULT_CONCURRENCY), BARE_KEEP: keep ? '1' : '0' },
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
      eventBytes: await memoryUsage(redis.client, await scanKeys(redis.client, `${PREFIX}:*:events`)),
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
  /** With BARE_KEEP: MEMORY USAGE of every bare key but the event streams ÷ N. */
  keptBytes: number;
  eventBytes: number;
}

async function runBare(redis: BenchRedis, processes: number, keep = false): Promise<BareRun> {
  await redis.flush();
  const workers = await Promise.all(Array.from({ length: processes }, () => spawnBare(redis, keep)));
  const queue = new Queue('analyze', { connection: redis.client, prefix: 'bare', defaultJobOptions: { removeOnComplete: !keep } });
  try {
    const start = performance.now();
    for (let i = 0; i < N; i += 1000) {
      await queue.addBulk(Array.from({ length: Math.min(1000, N - i) }, (_, j) => ({ name: 'analyze', data: { b: 'b1', k: i + j }, opts: { jobId: `b1-${i + j}-analyze` } })));
    }
    await until(async () => Number(await redis.client.get('bare:done')) >= N, 'bare');
    const seconds = (performance.now() - start) / 1000;
    const all = await scanKeys(redis.client, 'bare:*');
    const events = all.filter((k) => k.endsWith(':events'));
    return {
      rate: N / seconds,
      keptBytes: keep ? (await memoryUsage(redis.client, all.filter((k) => !k.endsWith(':events')))) / N : 0,
      eventBytes: await memoryUsage(redis.client, events),
    };
  } finally {
    await queue.close();
    await Promise.all(workers.map((w) => w.stop()));
  }
}

const wallStart = performance.now();
const redis = await startBenchRedis();
const ours = new Map<number, OursRun[]>();
const bare = new Map<number, BareRun[]>();
let keptBare: BareRun;
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
} finally {
  await redis.stop();
}

const concurrency = Object.entries(DEFAULT_CONCURRENCY).map(([s, n]) => `${s} ${n}`).join(', ');
const rates = (runs: { rate: number }[]): number[] => runs.map((r) => r.rate);
const rows = PROCESSES.map((p) => {
  const o = rates(ours.get(p)!);
  const b = rates(bare.get(p)!);
  const ratio = median(o) / median(b);
  const paired = o.map((x, i) => x / (b[i] as number));
  return `| ${p} | **${median(o).toFixed(0)}** | ${spread(o)} | ${median(b).toFixed(0)} | ${spread(b)} | **${ratio.toFixed(2)}** | ${Math.min(...paired).toFixed(2)}–${Math.max(...paired).toFixed(2)} | ≥ ${TARGET_RATIO} ${mark(ratio >= TARGET_RATIO)} |`;
});
const scaling = PROCESSES.length > 1 ? ` Ours with ${PROCESSES.at(-1)} processes ÷ 1: ${(median(rates(ours.get(PROCESSES.at(-1)!)!)) / median(rates(ours.get(PROCESSES[0]!)!))).toFixed(2)}; bare: ${(median(rates(bare.get(PROCESSES.at(-1)!)!)) / median(rates(bare.get(PROCESSES[0]!)!))).toFixed(2)} (2 cores, shared with Redis and the producer).` : '';
const e2e = [
  '## End-to-end offline throughput vs bare BullMQ',
  '',
  `Machine: ${machine()}; ${versions(redis.version)}. Redis: ${REDIS_SETTINGS}. ${RUNS} runs per configuration and side, interleaved; fresh worker processes every run (start-up not timed).`,
  '',
  `Batch: ${N.toLocaleString('en')} distinct synthetic requirements (\`bench/synthetic.ts\`, a new seed per run), submitted with \`submitBatch\` from the benchmark process. ` +
    `Ours: N × \`agent-factory worker\` processes (all four stages, default concurrency ${concurrency}; provider offline, research from the bundled docs, shared cache on as shipped and empty at the start). ` +
    'Timed from submit start until `getBatch` says completed, polled every 100 ms. ' +
    'Bare: N × `bench/bare/stages-worker.mjs` processes, four BullMQ Workers each on one shared client with the same per-stage concurrency; each processor only adds the next stage\'s job with a deterministic id (no priority, default options, completed jobs removed like ours), the last one INCRs a counter; ' +
    `the benchmark addBulk's the ${N.toLocaleString('en')} first-stage jobs in chunks of 1,000 and polls the counter every 100 ms.`,
  '',
  '| worker processes | ours, requirements/s | spread | bare BullMQ, items/s | spread | ours ÷ bare | per-run ratios | target |',
  '|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
  `${scaling.trim()}`,
].join('\n');

const all = [...ours.values()].flat();
const batchBytes = all.map((r) => r.batchBytes);
const cacheBytes = all.map((r) => r.cacheBytes);
const usedDelta = all.map((r) => r.usedDelta);
const bytes = [
  '## Redis bytes per finished requirement',
  '',
  `Machine: ${machine()}; ${versions(redis.version)}. After each of the ${all.length} end-to-end runs of ours above (${N.toLocaleString('en')} distinct requirements, all completed), ` +
    'the sum of `MEMORY USAGE … SAMPLES 0` over the batch\'s keys (`packages/queue/src/keys.ts`: the batch hash, the ids list, the results hash, plus any item record left, none expected) ÷ requirements. ' +
    'For context: the shared cache\'s keys (`{prefix}:cache:*`: a copy of each finished agent for reuse, 7-day TTL, and the docs answers), and INFO `used_memory` after − before the batch ÷ requirements (everything left: also BullMQ\'s event streams, capped at 10,000 entries per queue, not per requirement).',
  '',
  '| measure | median | spread (min–max) | target |',
  '|---|---|---|---|',
  `| bytes per finished requirement, the batch's keys | **${median(batchBytes).toFixed(0)}** | ${spread(batchBytes)} | ≤ ${TARGET_BYTES} ${mark(median(batchBytes) <= TARGET_BYTES)} |`,
  `| bytes per requirement, shared cache (agents + docs) | ${median(cacheBytes).toFixed(0)} | ${spread(cacheBytes)} | — |`,
  `| bytes per requirement, batch + cache | ${median(all.map((r) => r.batchBytes + r.cacheBytes)).toFixed(0)} | ${spread(all.map((r) => r.batchBytes + r.cacheBytes))} | — |`,
  `| INFO used_memory after − before, ÷ requirements | ${median(usedDelta).toFixed(0)} | ${spread(usedDelta)} | — |`,
  `| BullMQ event streams of the four stage queues, total (not per requirement) | ${(median(all.map((r) => r.eventBytes)) / 2 ** 20).toFixed(1)} MB | | — |`,
  `| bare BullMQ, if its completed jobs were kept (4 stage jobs per item, \`removeOnComplete: false\`, one untimed run), bytes per item | ${keptBare.keptBytes.toFixed(0)} | | — |`,
].join('\n');
writeSection('e2e', e2e);
writeSection('redis-bytes', bytes);
process.stdout.write(`${e2e}\n\n${bytes}\n\nbench/e2e.ts took ${((performance.now() - wallStart) / 1000).toFixed(0)} s\n`);
