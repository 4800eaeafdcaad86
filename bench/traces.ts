/**
 * What traces cost: one `agent-factory worker` process per side on the same private Redis — no
 * traces, every requirement traced, a tenth traced (the SDK's parent-based ratio sampler) — the
 * spans sent to a local OTLP/HTTP collector that counts them. Interleaved timed batches per side;
 * throughput and the worker's CPU per requirement (from /proc), ratios against no traces.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { connect, getBatch, submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { pino } from 'pino';
import { machine, writeSection } from './benchmarks-md.js';
import { sleep, spawnWorker, startBenchRedis, type WorkerProcess } from './harness.js';
import { median, spread } from './stats.js';
import { syntheticRequirements } from './synthetic.js';

/** Per timed batch: 1,500 keeps `npm run bench` under its 10 minutes (2,000 did not on slow hours). */
const N = Number(process.env['BENCH_TRACES_N'] ?? 1_500);
const RUNS = Number(process.env['BENCH_TRACES_RUNS'] ?? 3);
const WARM_N = 200;

interface Side {
  label: string;
  prefix: string;
  env: NodeJS.ProcessEnv;
}

interface Run {
  rate: number;
  /** The worker process's user + system CPU over the batch ÷ N, ms. */
  cpuMs: number;
  /** Spans the collector received during the batch (and up to a second after) ÷ N. */
  spans: number;
}

/** A collector that takes OTLP/HTTP JSON exports and counts their spans. */
async function startCollector(): Promise<{ url: string; spans: () => number; close(): Promise<void> }> {
  let spans = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const sent = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] };
      for (const rs of sent.resourceSpans) for (const ss of rs.scopeSpans) spans += ss.spans.length;
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans: () => spans,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** User + system CPU seconds of a process so far (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function runBatch(conn: FactoryConnection, worker: WorkerProcess, requirements: string[], spans: () => number): Promise<Run> {
  const cpu = cpuSeconds(worker.child.pid!);
  const spansBefore = spans();
  const start = performance.now();
  const batch = await submitBatch(conn, requirements.map((requirement, i) => ({ id: `r${i}`, requirement })));
  while ((await getBatch(conn, batch.id))?.state !== 'completed') await sleep(25);
  const seconds = (performance.now() - start) / 1000;
  const cpuMs = ((cpuSeconds(worker.child.pid!) - cpu) * 1000) / requirements.length;
  // The batch span processor sends every 200 ms here: what the batch made has arrived a second later.
  await sleep(1000);
  return { rate: requirements.length / seconds, cpuMs, spans: (spans() - spansBefore) / requirements.length };
}

const wallStart = performance.now();
const redis = await startBenchRedis();
const collector = await startCollector();
// JSON, which the collector here counts (workers default to protobuf).
const otlp = { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '200' };
const SIDES: Side[] = [
  { label: 'no traces', prefix: '{afnotrace}', env: {} },
  { label: 'every requirement traced', prefix: '{aftrace}', env: otlp },
  { label: 'a tenth traced (`OTEL_TRACES_SAMPLER=parentbased_traceidratio`, `_ARG=0.1`)', prefix: '{aftrace10}', env: { ...otlp, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' } },
];
const runs = new Map<Side, Run[]>(SIDES.map((s) => [s, []]));
const workers: WorkerProcess[] = [];
const conns: FactoryConnection[] = [];
try {
  for (const side of SIDES) {
    workers.push(await spawnWorker({ REDIS_URL: redis.url, AF_PREFIX: side.prefix, ...side.env }));
    conns.push(await connect({ redisUrl: redis.url, prefix: side.prefix }, { logger: pino({ level: 'error' }) }));
  }
  for (const [i] of SIDES.entries()) await runBatch(conns[i]!, workers[i]!, syntheticRequirements(WARM_N, 600 + i), collector.spans);
  for (let run = 0; run < RUNS; run++) {
    const requirements = syntheticRequirements(N, 2000 + run);
    for (const [i, side] of SIDES.entries()) {
      const r = await runBatch(conns[i]!, workers[i]!, requirements, collector.spans);
      runs.get(side)!.push(r);
      process.stderr.write(`run ${run + 1}/${RUNS}, ${side.label}: ${r.rate.toFixed(0)}/s, ${r.cpuMs.toFixed(2)} ms CPU/requirement, ${r.spans.toFixed(1)} spans/requirement\n`);
    }
  }
} finally {
  await Promise.all(conns.map((c) => c.close()));
  await Promise.all(workers.map((w) => w.stop()));
  await collector.close();
  await redis.stop();
}

const base = runs.get(SIDES[0]!)!;
const rows = SIDES.map((side) => {
  const own = runs.get(side)!;
  const rate = median(own.map((r) => r.rate));
  const cpu = median(own.map((r) => r.cpuMs));
  return `| ${side.label} | **${rate.toFixed(0)}** | ${spread(own.map((r) => r.rate))} | ${(rate / median(base.map((r) => r.rate))).toFixed(2)} | **${cpu.toFixed(2)}** | ${spread(own.map((r) => r.cpuMs), 2)} | ${(cpu / median(base.map((r) => r.cpuMs))).toFixed(2)} | ${median(own.map((r) => r.spans)).toFixed(1)} |`;
});
writeSection(
  'traces',
  [
    '## What traces cost',
    '',
    `Machine: ${machine()}. One \`agent-factory worker\` process per side (offline generator, bundled docs, default concurrency), each under its own prefix on one private Redis; spans go over OTLP/HTTP (JSON, sent every 200 ms) to a local collector in the benchmark process that counts them. Each side warmed up with ${WARM_N} requirements, then ${RUNS} timed batches of ${N.toLocaleString('en-US')} distinct synthetic requirements per side, interleaved (the same requirements on every side of a run). Worker CPU: the process's user + system time over the batch (/proc) ÷ its size. Whole benchmark: ${((performance.now() - wallStart) / 1000).toFixed(0)} s.`,
    '',
    '| worker | requirements/s | spread | ÷ no traces | worker CPU per requirement, ms | spread | ÷ no traces | spans per requirement |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'A traced requirement is 12 spans: `process` and `complete` of each of its four stage jobs, `add` of the last three, and `chat offline` under `process generate`. Unsampled requirements still go through BullMQ\'s telemetry calls (their spans are not recorded), so sampling saves the export, not all of the cost.',
  ].join('\n'),
);
process.stderr.write(`bench/traces.ts took ${((performance.now() - wallStart) / 1000).toFixed(0)} s\n`);
