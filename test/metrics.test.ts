import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, createLogger, metricsReport, submitBatch, watchAlerts, type FactoryConnection } from '@agent-factory/queue';
import { startServer, type RunningServer } from '@agent-factory/server';
import { startSimulator, type Simulator } from '@agent-factory/sim';
import type { MetricsReport } from '@agent-factory/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticRequirements } from '../bench/synthetic.js';
import { runCli } from './helpers/cli.js';
import { spawnWorker, storedResults, waitForBatch, type WorkerProcess } from './helpers/queue-workers.js';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

/**
 * Recording, report, Prometheus and alerts against a real batch: one worker process with the real
 * SDK against the simulator, a real Redis, the real server. The report must equal what happened.
 */
const quiet = createLogger({}, { level: 'error' });
/** Requirements carrying this word get a permanent 400 from the simulator. */
const REFUSED = 'Zorblatt';
const COMPLETED = 10;
const FAILED = 2;

let redis: TestRedis;
let sim: Simulator;
let conn: FactoryConnection;
let prefix: string;
let worker: WorkerProcess;
let server: RunningServer;
let batchId: string;
let report: MetricsReport;

beforeAll(async () => {
  redis = await startRedis({ appendonly: false });
  // Paced (about a second per agent) so the SSE test below sees generations in flight.
  sim = await startSimulator({ seed: 9, ttftMs: 2, tokensPerSecond: 1500, faults: { rules: [{ match: REFUSED, then: '400' }] } });
  prefix = testPrefix();
  conn = await connect({ redisUrl: redis.url, prefix }, { logger: quiet });
  worker = await spawnWorker({
    REDIS_URL: redis.url, AF_PREFIX: prefix, ANTHROPIC_API_KEY: 'sim-key', ANTHROPIC_BASE_URL: sim.url, AF_PROVIDER: 'anthropic',
    AF_RESEARCH: 'local', AF_BACKOFF_MS: '100', AF_METRICS_PORT: '0',
  });
  server = await startServer(conn, { host: '127.0.0.1', port: 0, ssePollMs: 100 });
  const requirements = [
    ...syntheticRequirements(COMPLETED, 77),
    ...Array.from({ length: FAILED }, (_, i) => `Review ${REFUSED} service ${i} configuration files for leaked secrets`),
  ];
  const batch = await submitBatch(conn, requirements.map((requirement, i) => ({ id: `r${i}`, requirement })), { useCache: false });
  batchId = batch.id;
  await waitForBatch(conn, batchId, 30_000);
  report = (await metricsReport(conn, { batch: batchId }))!;
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await server?.close();
  await conn?.close();
  await sim?.close();
  await redis?.stop();
});

describe('metrics of a batch (recorded by the workers, kept in Redis)', () => {
  it('counts what the batch did: completed, failed, by tier, and the failures by reason', async () => {
    const results = [...(await storedResults(conn, batchId)).values()];
    expect(report.totals).toMatchObject({ finished: COMPLETED + FAILED, completed: COMPLETED, failed: FAILED, cancelled: 0 });
    expect(report.tiers.reduce((s, t) => s + t.count, 0)).toBe(COMPLETED + FAILED);
    for (const tier of ['simple', 'standard', 'complex'] as const) {
      const completed = results.filter((r) => r.s === 'completed' && r.t === tier).length;
      expect(report.tiers.find((t) => t.tier === tier)?.completed ?? 0).toBe(completed);
    }
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]!.count).toBe(FAILED);
    expect(report.errors[0]!.name).toMatch(/^generate: /);
    expect(report.totals.errorRate).toBeCloseTo(FAILED / (COMPLETED + FAILED), 5);
  });

  it('records tokens kind by kind exactly as the simulator billed them, and their cost, in the report and on each result', async () => {
    const billed = sim.ledger.tokens.realtime;
    const stored = [...(await storedResults(conn, batchId)).values()].filter((r) => r.s === 'completed');
    expect(stored.reduce((s, r) => s + (r.u?.[1] ?? 0), 0)).toBe(billed.output);
    expect(stored.reduce((s, r) => s + (r.u?.[3] ?? 0), 0)).toBe(billed.cacheRead);
    expect(stored.reduce((s, r) => s + (r.$ ?? 0), 0)).toBeCloseTo(sim.ledger.snapshot().costUsd.realtime, 4);
    const sum = (k: 'input' | 'output' | 'cacheWrite' | 'cacheRead'): number => report.usage.reduce((s, u) => s + u[k], 0);
    expect({ input: sum('input'), output: sum('output'), cacheCreation: sum('cacheWrite'), cacheRead: sum('cacheRead') }).toEqual({
      input: billed.input, output: billed.output, cacheCreation: billed.cacheCreation, cacheRead: billed.cacheRead,
    });
    expect(report.usage.every((u) => u.mode === 'realtime' && u.model.startsWith('claude-'))).toBe(true);
    expect(report.usage.reduce((s, u) => s + u.agents, 0)).toBe(COMPLETED);
    expect(report.cost.total).toBeGreaterThan(0);
    // Kept in millionths of a dollar per agent: equal to the ledger within rounding.
    expect(report.cost.total).toBeCloseTo(sim.ledger.snapshot().costUsd.realtime, 4);
    const caching = report.optimizations.find((o) => o.technique === 'prompt caching')!;
    expect(caching.avoided).toBeGreaterThan(0);
    // Research: every look-up counted, and the calls that reached the source are the rest of the cache's answers.
    expect(report.research.lookups).toBeGreaterThan(0);
    expect(report.research.calls).toBeLessThanOrEqual(report.research.lookups);
    expect(report.optimizations.find((o) => o.technique.startsWith('research cache'))).toMatchObject({ before: report.research.lookups, after: report.research.calls });
    expect(report.stages.map((s) => s.stage)).toEqual(['analyze', 'research', 'generate', 'validate']);
    expect(report.stages.every((s) => s.count === COMPLETED)).toBe(true);
    expect(report.budget.find((b) => b.stage === 'generation')!.tokensAvg).toBeGreaterThan(0);
  });

  it('`agent-factory report` prints the tables, and --json the same numbers', async () => {
    const env = { REDIS_URL: redis.url, AF_PREFIX: prefix };
    const text = await runCli(['report', '--batch', batchId], { env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('By tier');
    expect(text.stdout).toContain(`${COMPLETED + FAILED} finished: ${COMPLETED} completed, ${FAILED} failed`);
    expect(text.stdout).toMatch(/Optimization impact[\s\S]*prompt caching/);
    // The success rate says what it counts: completed with a fallback is not a success.
    expect(text.stdout).toMatch(/clean success \d+\.\d% \(completed with every gate passed and nothing degraded: an offline fallback or degraded research completes but is not a success\)/);
    expect(text.stdout).toMatch(/tokens avg\s+clean success/);
    const json = await runCli(['report', '--since', '1h', '--json'], { env });
    expect(json.code, json.stderr).toBe(0);
    const window = JSON.parse(json.stdout) as MetricsReport;
    expect(window.totals.completed).toBe(COMPLETED);
    expect(window.totals.failed).toBe(FAILED);
    const bad = await runCli(['report', '--since', 'yesterday'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since');
  });

  it('serves Prometheus series on the worker and on the server, and the report over HTTP', async () => {
    const ready = worker.lines.find((l) => l.includes('"worker ready"'))!;
    const workerMetrics = await (await fetch((JSON.parse(ready) as { metrics: string }).metrics)).text();
    expect(workerMetrics).toMatch(new RegExp(`af_requirements_total\\{outcome="completed",tier="\\w+",model="claude-[^"]+"\\} \\d`));
    expect(workerMetrics).toMatch(/af_requirements_total\{outcome="failed"/);
    expect(workerMetrics).toContain('af_stage_duration_seconds_bucket{le="0.005",stage="analyze"');
    expect(workerMetrics).toMatch(/af_tokens_total\{kind="cache_read",model="claude-/);
    expect(workerMetrics).toContain('af_queue_jobs{queue="generate",state="waiting"} 0');
    const serverMetrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(serverMetrics).toContain(`af_cluster_window{measure="finished"} ${COMPLETED + FAILED}`);
    expect(serverMetrics).toMatch(/af_cluster_window\{measure="processing_p95_seconds"\} \d/);
    // The server finishes no requirement: it exports no per-process counters a query over every job would read as zeros.
    for (const family of ['af_requirements_total', 'af_tokens_total', 'af_cached_agents_total', 'af_retries_total', 'af_stage_duration_seconds']) expect(serverMetrics).not.toContain(family);
    expect(serverMetrics).toContain('af_queue_jobs{queue="analyze",state="waiting"} 0');
    // The server's own queues too: batch webhooks being delivered, Message Batches in flight.
    expect(serverMetrics).toContain('af_queue_jobs{queue="webhooks",state="waiting"} 0');
    expect(serverMetrics).toContain('af_queue_jobs{queue="llm-batches",state="active"} 0');
    const dashboard = (await (await fetch(`${server.url}/api/dashboard`)).json()) as { queues: Record<string, Record<string, number>> };
    expect(Object.keys(dashboard.queues)).toEqual(['analyze', 'research', 'generate', 'validate', 'llm-batches', 'webhooks']);
    const viaHttp = (await (await fetch(`${server.url}/api/report?batch=${batchId}`)).json()) as MetricsReport;
    expect(viaHttp.totals).toEqual(report.totals);
    expect((await fetch(`${server.url}/api/report?since=forever`)).status).toBe(400);
    expect((await fetch(`${server.url}/api/report?batch=b_nosuchbatch`)).status).toBe(404);
  });
});

describe('alerts', () => {
  let hook: Server;
  const received: unknown[] = [];

  beforeAll(async () => {
    hook = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => hook.close(() => r())));

  it('announces a crossed threshold once, in the log and to the webhook, and clears it when it falls back', async () => {
    const webhook = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`;
    const lines: string[] = [];
    const logger = createLogger({}, { level: 'info', destination: { write: (l: string) => void lines.push(l) } as unknown as NodeJS.WritableStream });
    const settings = { errorRate: 0.05, p95Ms: 600_000, tokensPerAgent: 100_000, windowMinutes: 60, webhook };
    const watch = watchAlerts(conn, settings, { logger, intervalMs: 3_600_000 });
    try {
      const first = await watch.check();
      expect(first.map((a) => a.name)).toEqual(['error_rate']);
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ source: 'agent-factory', name: 'error_rate', threshold: 0.05 });
      expect(lines.join('')).toContain('alert: error rate 16.7% is over 5.0%');
      // The crossing is shown, not only logged: on the dashboard's JSON and as a gauge on /metrics.
      const shown = (await (await fetch(`${server.url}/api/dashboard`)).json()) as { alerts: { active: { name: string; value: number; threshold: number; since: string }[]; windowMinutes: number } };
      expect(shown.alerts.windowMinutes).toBe(60);
      expect(shown.alerts.active).toEqual([expect.objectContaining({ name: 'error_rate', value: FAILED / (COMPLETED + FAILED), threshold: 0.05 })]);
      expect(Date.parse(shown.alerts.active[0]!.since)).toBeLessThanOrEqual(Date.now());
      const scraped = await (await fetch(`${server.url}/metrics`)).text();
      expect(scraped).toContain('af_alert_active{alert="error_rate"} 1');
      expect(scraped).toContain('af_alert_active{alert="p95_time"} 0');
      // Still above: not announced again.
      expect(await watch.check()).toEqual([]);
      expect(received).toHaveLength(1);
      // Back below (a higher threshold): cleared, and a new crossing would be announced again.
      const relaxed = watchAlerts(conn, { ...settings, errorRate: 0.5 }, { logger, intervalMs: 3_600_000 });
      expect(await relaxed.check()).toEqual([]);
      relaxed.stop();
      expect(lines.join('')).toContain('alert cleared');
      const calm = (await (await fetch(`${server.url}/api/dashboard`)).json()) as { alerts: { active: unknown[] } };
      expect(calm.alerts.active).toEqual([]);
      expect(await (await fetch(`${server.url}/metrics`)).text()).toContain('af_alert_active{alert="error_rate"} 0');
      expect((await watch.check()).map((a) => a.name)).toEqual(['error_rate']);
      expect(received).toHaveLength(2);
    } finally {
      watch.stop();
    }
  });
});

describe('live generation progress', () => {
  it("streams the batch's generations in flight (characters and tokens so far) as SSE `generating` events", async () => {
    const batch = await submitBatch(conn, syntheticRequirements(3, 78).map((requirement, i) => ({ id: `g${i}`, requirement })), { useCache: false });
    const res = await fetch(`${server.url}/api/batches/${batch.id}/events`);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text(); // the stream ends with the batch
    const generating = [...text.matchAll(/event: generating\ndata: (.*)\n/g)].map((m) => JSON.parse(m[1]!) as { key: string; characters: number; outputTokens: number }[]);
    const seen = generating.flat();
    expect(seen.some((g) => g.characters > 0 && g.outputTokens > 0)).toBe(true);
    expect(new Set(seen.map((g) => g.key)).size).toBeGreaterThan(0);
    expect(text).toMatch(/event: end\ndata: .*"completed":3/);
  });
});
