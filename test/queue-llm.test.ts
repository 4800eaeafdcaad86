import { createServer, type AddressInfo } from 'node:net';
import {
  batchKeys, batchUsage, batchUsageKey, connect, deleteBatch, createLogger, metricsReport, RateLimiter, submitBatch, type BatchItemInput, type BatchStatus, type FactoryConnection, type StoredResult,
} from '@agent-factory/queue';
import { startSimulator, type Simulator } from '@agent-factory/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticRequirements } from '../bench/synthetic.js';
import { spawnWorker, storedResults, waitForBatch, type WorkerProcess } from './helpers/queue-workers.js';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

/**
 * The generate stage through the queue with real worker processes, the real SDK and the simulator:
 * nothing mocked. Fast simulator settings (no pacing) keep the file short.
 */
const quiet = createLogger({}, { level: 'error' });
const MESSAGES = 'POST /v1/messages';
/** The limiter test's rpm: high enough to be fast, its bucket drained first so the limit binds at once. */
const RPM = 600;

let redis: TestRedis;
/** Streaming, cache, faults: one worker process. */
let sim: Simulator;
let conn: FactoryConnection;
let prefix: string;
/** Limiter: two worker processes against a limited simulator. */
let limitedSim: Simulator;
let limitedConn: FactoryConnection;
let limitedPrefix: string;
const workers: WorkerProcess[] = [];

function workerEnv(p: string, url: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    REDIS_URL: redis.url,
    AF_PREFIX: p,
    ANTHROPIC_API_KEY: 'sim-key',
    ANTHROPIC_BASE_URL: url,
    AF_PROVIDER: 'anthropic',
    AF_RESEARCH: 'local',
    AF_BACKOFF_MS: '100',
    AF_GENERATION_TIMEOUT_MS: '10000',
    ...extra,
  };
}

beforeAll(async () => {
  redis = await startRedis({ appendonly: false });
  [sim, limitedSim] = await Promise.all([
    startSimulator({ seed: 5, ttftMs: 2, faults: { retryAfterMs: 50, midstreamAfterDeltas: 3 } }),
    startSimulator({ seed: 6, ttftMs: 2, limits: { rpm: RPM } }),
  ]);
  prefix = testPrefix();
  limitedPrefix = testPrefix();
  [conn, limitedConn] = await Promise.all([connect({ redisUrl: redis.url, prefix }, { logger: quiet }), connect({ redisUrl: redis.url, prefix: limitedPrefix }, { logger: quiet })]);
  workers.push(
    ...(await Promise.all([
      spawnWorker(workerEnv(prefix, sim.url)),
      ...[0, 1].map(() => spawnWorker(workerEnv(limitedPrefix, limitedSim.url, { AF_RATE_LIMIT: `rpm=${RPM}`, AF_CONCURRENCY: 'generate=8' }))),
    ])),
  );
}, 30_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await Promise.all([conn, limitedConn].map((c) => c?.close()));
  await Promise.all([sim, limitedSim].map((s) => s?.close()));
  await redis?.stop();
});

function inputs(requirements: string[]): BatchItemInput[] {
  return requirements.map((requirement, i) => ({ id: `r${i}`, requirement }));
}

/** Submits without the agents cache (every requirement really generates) and waits for the end. */
async function run(c: FactoryConnection, requirements: string[], timeoutMs = 25_000): Promise<{ status: BatchStatus; results: StoredResult[]; ms: number }> {
  const t = performance.now();
  const batch = await submitBatch(c, inputs(requirements), { useCache: false });
  const status = await waitForBatch(c, batch.id, timeoutMs);
  const results = [...(await storedResults(c, batch.id)).values()];
  return { status, results, ms: performance.now() - t };
}

const messageRequests = (s: Simulator): number => s.ledger.requests.byEndpoint[MESSAGES] ?? 0;

describe('generate stage with the Anthropic provider through the queue (real SDK, simulator, worker processes)', () => {
  it('streams a 30-requirement batch end to end: every agent valid, provider anthropic, usage equal to the ledger, cache read', async () => {
    sim.ledger.reset();
    const { status, results } = await run(conn, syntheticRequirements(30, 101));
    expect(status.counts).toMatchObject({ completed: 30, failed: 0 });
    for (const r of results) {
      expect(r.s).toBe('completed');
      expect(r.p, r.e).toBe(true);
      expect(r.m).toMatch(/^anthropic\/claude-/);
      expect(r.k).toBeGreaterThan(0);
    }
    // Usage recorded per request by the workers equals what the simulator billed, kind by kind.
    const usage = await batchUsage(conn.redis, prefix, status.id);
    const billed = sim.ledger.tokens.realtime;
    expect(usage.output).toBe(billed.output);
    expect({ input: usage.input, cacheCreation: usage.cacheCreation, cacheRead: usage.cacheRead }).toEqual({ input: billed.input, cacheCreation: billed.cacheCreation, cacheRead: billed.cacheRead });
    expect(usage.requests).toBe(messageRequests(sim));
    // Kept as long as the batch (its retention, default 7 days), and deleted with it.
    const usageKey = batchUsageKey(prefix, status.id);
    expect(await conn.redis.ttl(usageKey)).toBeGreaterThan(7 * 86_400 - 120);
    expect(await conn.redis.ttl(usageKey)).toBeLessThanOrEqual(7 * 86_400);
    expect(await deleteBatch(conn, status.id)).toBe('deleted');
    expect(await conn.redis.exists(usageKey)).toBe(0);
    // The stable prefix is written once per model and read by the requests after it.
    expect(billed.cacheRead).toBeGreaterThan(0);
    expect(billed.cacheRead).toBeGreaterThan(billed.cacheCreation);
    // Streaming progress reached the jobs (what Bull Board shows).
    const jobs = await conn.queues.generate.getCompleted(0, 50);
    expect(jobs.some((j) => typeof j.progress === 'object' && (j.progress as { stage?: unknown }).stage === 'generate' && (j.progress as { characters: number }).characters > 0)).toBe(true);
  });

  it('a provider that answers every request 429 pauses the stage a bounded number of times, then the requirement fails with the API\'s words', async () => {
    sim.ledger.reset();
    sim.setFaults({ rate: 1, kinds: { '429': 1 }, retryAfterMs: 20 });
    const linesBefore = workers[0]!.lines.length;
    try {
      const { status, results } = await run(conn, syntheticRequirements(1, 909), 60_000);
      expect(status.counts).toMatchObject({ completed: 0, failed: 1 });
      expect(results[0]?.e).toMatch(/^generate: rate limited 11 times: .*429/);
      // Each run comes back once its 20 ms pause is over: a job left waiting without a wake-up took
      // BullMQ's drain wait (5 s) to be seen again.
      const paused = workers[0]!.lines.slice(linesBefore).filter((l) => l.includes('generation paused on every worker')).map((l) => (JSON.parse(l) as { time: number }).time);
      expect(paused.length).toBeGreaterThanOrEqual(11);
      const gaps = paused.slice(1).map((t, i) => t - paused[i]!);
      expect(Math.max(...gaps), `ms between runs: ${gaps.join(', ')}`).toBeLessThan(2000);
    } finally {
      sim.setFaults({ rate: 0 });
    }
  }, 90_000);

  it('does not cache an agent the offline generator wrote in place of a faulty provider: the same requirement later goes to the provider', async () => {
    const requirement = syntheticRequirements(1, 919);
    const submitCached = async (): Promise<StoredResult> => {
      const batch = await submitBatch(conn, inputs(requirement));
      await waitForBatch(conn, batch.id, 30_000);
      return [...(await storedResults(conn, batch.id)).values()][0]!;
    };
    sim.setFaults({ rate: 1, kinds: { malformed: 1 } });
    let degraded: StoredResult;
    try {
      degraded = await submitCached();
    } finally {
      sim.setFaults({ rate: 0 });
    }
    expect(degraded.s).toBe('completed');
    expect(degraded.d?.join(' ')).toMatch(/offline generator/);
    sim.ledger.reset();
    const again = await submitCached();
    expect(again.h).toBeUndefined();
    expect(again.d).toBeUndefined();
    expect(again.m).toMatch(/^anthropic\//);
    expect(messageRequests(sim)).toBeGreaterThan(0);
    // Now a good agent, it is cached: a third submit is answered from the cache.
    expect((await submitCached()).h).toBe(1);
  });

  it('30% transient faults (seeded 429, 529, 500, reset, mid-stream): every requirement succeeds; 429s pause and go back', async () => {
    sim.ledger.reset();
    sim.setFaults({ rate: 0.3, retryAfterMs: 50, midstreamAfterDeltas: 3 });
    const linesBefore = workers[0]!.lines.length;
    try {
      const { status, results } = await run(conn, syntheticRequirements(30, 202));
      expect(status.counts).toMatchObject({ completed: 30, failed: 0 });
      expect(results.every((r) => r.s === 'completed' && r.m?.startsWith('anthropic/'))).toBe(true);
      const { faults } = sim.ledger;
      expect(faults.total).toBeGreaterThan(5);
      expect(Object.keys(faults.byKind).length).toBeGreaterThanOrEqual(4);
      // Still exact: a request cut by a fault is billed by neither side.
      expect((await batchUsage(conn.redis, prefix, status.id)).output).toBe(sim.ledger.tokens.realtime.output);
      const log = workers[0]!.lines.join('\n');
      expect(log).toMatch(/generation retry/);
      // The provider's own retries reach the records: the report counts at least every one of them.
      const providerRetries = workers[0]!.lines.slice(linesBefore).filter((l) => l.includes('generation retry')).length;
      expect(providerRetries).toBeGreaterThan(0);
      // Each retry line names its batch, requirement and stage, as every job's line does.
      for (const line of workers[0]!.lines.slice(linesBefore).filter((l) => l.includes('generation retry'))) {
        expect(JSON.parse(line)).toMatchObject({ batch: status.id, req: expect.stringMatching(/^[0-9a-f]{16}$/), stage: 'generate', msg: expect.stringMatching(/^generation retry: /) });
      }
      expect((await metricsReport(conn, { batch: status.id }))!.troubleshooting.retries).toBeGreaterThanOrEqual(providerRetries);
      if ((faults.byKind['429'] ?? 0) > 0) expect(log).toMatch(/generation paused on every worker/);
    } finally {
      sim.setFaults({ retryAfterMs: 50 });
    }
  });

  it('permanent faults (401 on every request) fail every item at once with the provider\'s message, without retries', async () => {
    sim.ledger.reset();
    sim.setFaults({ rate: 1, kinds: { '401': 1 } });
    try {
      const { status, results, ms } = await run(conn, syntheticRequirements(6, 303));
      expect(status.counts).toMatchObject({ completed: 0, failed: 6 });
      for (const r of results) expect(r.e).toMatch(/^generate: Anthropic API 401 authentication_error: invalid x-api-key/);
      expect(messageRequests(sim)).toBe(6);
      expect(ms).toBeLessThan(5000);
    } finally {
      sim.setFaults({ retryAfterMs: 50 });
    }
  });

  it('malformed output is regenerated once with the findings, then the offline generator answers, marked degraded', async () => {
    sim.ledger.reset();
    sim.setFaults({ rules: [{ match: 'Quokkaflux', sequence: ['malformed', 'malformed'] }] });
    try {
      const marked = 'Review Quokkaflux deployment manifests for missing resource limits and risky privileges, and suggest fixes';
      const { status, results } = await run(conn, [marked, ...syntheticRequirements(2, 404)]);
      expect(status.counts).toMatchObject({ completed: 3, failed: 0 });
      const degraded = results.filter((r) => (r.d ?? []).length > 0);
      expect(degraded).toHaveLength(1);
      expect(degraded[0]!.m).toMatch(/^offline\//);
      expect(degraded[0]!.p).toBe(true);
      expect(sim.ledger.faults.byKind.malformed).toBe(2);
      // Two attempts for the marked requirement, one for each other.
      expect(messageRequests(sim)).toBe(4);
      // The failed attempts' bill counts, at their model: index.json's cost and the report's rows add up to the ledger.
      const billedUsd = sim.ledger.costUsd.realtime;
      expect(degraded[0]!.$).toBeGreaterThan(0);
      expect(results.reduce((sum, r) => sum + (r.$ ?? 0), 0)).toBeCloseTo(billedUsd, 5);
      const report = await metricsReport(conn, { batch: status.id });
      expect(report!.usage.every((u) => u.model.startsWith('claude-') && u.mode === 'realtime')).toBe(true);
      expect(report!.usage.reduce((sum, u) => sum + u.cost, 0)).toBeCloseTo(billedUsd, 5);
      expect(report!.usage.reduce((sum, u) => sum + u.output, 0)).toBe(sim.ledger.tokens.realtime.output);
    } finally {
      sim.setFaults({ retryAfterMs: 50 });
    }
  });

  it('limiter: 2 worker processes at the simulator\'s rpm share the limit without a stampede of 429s', async () => {
    const started = Date.now();
    // Drain both buckets to 10 requests (the simulator's first, ours after): the limit binds at once, as after a minute at full load.
    const drain = RPM - 10;
    for (let i = 0; i < drain; i += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, drain - i) }, () =>
          fetch(`${limitedSim.url}/v1/messages`, {
            method: 'POST',
            headers: { 'x-api-key': 'sim-key', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'drain' }] }),
          }).then((r) => r.arrayBuffer()),
        ),
      );
    }
    const ours = new RateLimiter({ redis: limitedConn.redis, prefix: limitedPrefix, limits: { rpm: RPM } });
    expect((await ours.reserve({ requests: drain }, 60_000)).granted).toBe(true);
    const before = { requests: messageRequests(limitedSim), limited: limitedSim.ledger.responses429 };
    expect(before.limited).toBe(0);

    // Track when the last generation request arrived (the batch ends a little later, after validation).
    let lastAt = Date.now();
    let lastCount = before.requests;
    const watch = setInterval(() => {
      const n = messageRequests(limitedSim);
      if (n !== lastCount) [lastCount, lastAt] = [n, Date.now()];
    }, 10);
    const batchSize = 50;
    let outcome: Awaited<ReturnType<typeof run>>;
    try {
      outcome = await run(limitedConn, syntheticRequirements(batchSize, 505), 30_000);
    } finally {
      clearInterval(watch);
    }
    expect(outcome.status.counts).toMatchObject({ completed: batchSize, failed: 0 });
    const requests = messageRequests(limitedSim) - before.requests;
    const limited = limitedSim.ledger.responses429 - before.limited;
    expect(limited / requests).toBeLessThanOrEqual(0.01);
    // Saturation: what the simulator admitted over what its bucket allowed since it started (full, then refilled).
    const admitted = drain + requests - limited;
    const allowed = RPM + (RPM * (lastAt - started)) / 60_000;
    const saturation = admitted / allowed;
    console.info(`limiter: ${requests} requests, ${limited} answered 429 (${((100 * limited) / requests).toFixed(2)}%), saturation ${(100 * saturation).toFixed(1)}% of rpm ${RPM}, ${Math.round(outcome.ms)} ms`);
    expect(saturation).toBeGreaterThan(0.9);
    // Both processes generated.
    expect(new Set(outcome.results.map((r) => r.w)).size).toBe(2);
    // What Bull Board shows as "rate limited": nothing while only the nominal fetch limit runs, the
    // time left while queue.rateLimit() (a 429) holds every worker back.
    const generate = limitedConn.queues.generate;
    // The counter's window as every fetch renews it (INCR, one-second expiry).
    await limitedConn.redis.set(generate.keys.limiter!, 5, 'PX', 1000);
    expect(await generate.getRateLimitTtl()).toBe(0);
    await generate.rateLimit(5000);
    expect(await generate.getRateLimitTtl()).toBeGreaterThan(4000);
    await generate.removeRateLimitKey();
  });

  it('makes no provider call for a generate job whose batch was cancelled meanwhile: the item ends cancelled', async () => {
    const p = testPrefix();
    const c = await connect({ redisUrl: redis.url, prefix: p }, { logger: quiet });
    try {
      // Analyze and research only: the generate jobs wait, as they would behind a busy generate pool.
      workers.push(await spawnWorker(workerEnv(p, sim.url), ['--stages', 'analyze,research']));
      const n = 6;
      const batch = await submitBatch(c, inputs(syntheticRequirements(n, 77)), { useCache: false });
      const deadline = Date.now() + 20_000;
      while (Object.values(await c.queues.generate.getJobCounts('waiting', 'prioritized')).reduce((a, b) => a + b, 0) < n) {
        if (Date.now() > deadline) throw new Error('the generate jobs were never enqueued');
        await new Promise((r) => setTimeout(r, 50));
      }
      // A cancel whose removal of queued jobs missed these (a research job enqueued them just after it).
      await c.redis.hset(batchKeys(p, batch.id).batch, 'state', 'cancelled');
      sim.ledger.reset();
      workers.push(await spawnWorker(workerEnv(p, sim.url), ['--stages', 'generate,validate']));
      const status = await waitForBatch(c, batch.id, 20_000, (s) => s.counts.pending === 0);
      expect(status.counts).toMatchObject({ cancelled: n, completed: 0 });
      expect(messageRequests(sim)).toBe(0);
    } finally {
      await c.close();
    }
  });
  it('a dead API URL (connection refused): each item makes AF_ATTEMPTS attempts, not provider retries times stage attempts', async () => {
    const p = testPrefix();
    const c = await connect({ redisUrl: redis.url, prefix: p }, { logger: quiet });
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const worker = await spawnWorker(workerEnv(p, `http://127.0.0.1:${port}`, { AF_ATTEMPTS: '3', AF_BACKOFF_MS: '50' }));
    workers.push(worker);
    try {
      const batch = await submitBatch(c, inputs(syntheticRequirements(2, 55)), { useCache: false });
      const status = await waitForBatch(c, batch.id, 20_000);
      expect(status.counts).toMatchObject({ failed: 2, completed: 0 });
      const results = [...(await storedResults(c, batch.id)).values()];
      for (const r of results) expect(r.e).toMatch(/^generate: connection error: .*ECONNREFUSED/);
      // The stage's attempts retried; the provider did not retry inside each of them.
      expect(worker.lines.filter((l) => l.includes('generation retry'))).toEqual([]);
      // The failed requirements' retries are counted: 2 each (3 attempts).
      expect((await metricsReport(c, { batch: batch.id }))!.troubleshooting.retries).toBe(4);
    } finally {
      await c.close();
    }
  });
});
