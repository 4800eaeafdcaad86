import { hostname } from 'node:os';
import { validateAgent } from '@agent-factory/core';
import { batchKeys, batchResults, connect, createLogger, KEEP_COMPLETED, listBatches, STAGES, submitBatch, type BatchItemInput, type FactoryConnection, type ItemResult } from '@agent-factory/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticRequirements } from '../bench/synthetic.js';
import { inputIds, leftoverItems, spawnWorker, storedResults, waitForBatch, type WorkerProcess } from './helpers/queue-workers.js';
import { BROTLI_MARK } from '../packages/queue/src/brotli.js';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

const DISTINCT = 500;
const DUPLICATES = 40;

describe('batches over worker processes: 500 requirements on 2, a worker joining mid-batch', () => {
  let redis: TestRedis;
  let conn: FactoryConnection;
  let workers: WorkerProcess[] = [];
  const prefix = testPrefix();
  let firstBatch = '';

  beforeAll(async () => {
    redis = await startRedis({ appendonly: false });
    // Finished agents stay cached 2 days here, not the default 7.
    workers = await Promise.all([0, 1].map(() => spawnWorker({ REDIS_URL: redis.url, AF_PREFIX: prefix, AF_AGENTS_TTL: '2d' })));
    conn = await connect({ redisUrl: redis.url, prefix }, { logger: createLogger({}, { level: 'error' }) });
  }, 30_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await conn?.close();
    await redis?.stop();
  });

  it('gives every input id exactly one valid agent, shared by both workers', async () => {
    const texts = syntheticRequirements(DISTINCT, 7);
    const inputs: BatchItemInput[] = texts.map((requirement, i) => ({ id: `req-${i}`, requirement }));
    // Identical requirements (also differing only in whitespace) become one item answered for each id.
    for (let i = 0; i < DUPLICATES; i++) inputs.push({ id: `dup-${i}`, requirement: `  ${texts[(i * 11) % DISTINCT]!.replace(' ', '  ')} ` });

    const started = performance.now();
    const submitted = await submitBatch(conn, inputs, { name: 'five hundred', tenant: 'test' });
    firstBatch = submitted.id;
    expect(submitted).toMatchObject({ inputs: DISTINCT + DUPLICATES, total: DISTINCT, state: 'running' });
    const done = await waitForBatch(conn, submitted.id, 60_000);
    const seconds = (performance.now() - started) / 1000;
    console.log(`500 requirements on 2 worker processes: ${seconds.toFixed(2)} s, ${(DISTINCT / seconds).toFixed(0)} requirements/s`);

    expect(done).toMatchObject({ state: 'completed', inputs: DISTINCT + DUPLICATES, total: DISTINCT, counts: { pending: 0, completed: DISTINCT, failed: 0, cancelled: 0 } });

    // Results come back in input order, one per input id, each a valid agent file.
    const results: ItemResult[] = [];
    for await (const r of batchResults(conn, submitted.id)) results.push(r);
    expect(results.map((r) => r.inputId)).toEqual(inputs.map((i) => i.id));
    for (const r of results) {
      expect(r.state).toBe('completed');
      const report = await validateAgent(r.content ?? '');
      expect(report.passed, `${r.inputId}: ${JSON.stringify(report.gates.flatMap((g) => g.findings))}`).toBe(true);
      expect(r.passed).toBe(true);
    }
    // A duplicate id gets the very same agent as the id it repeats.
    expect(results.find((r) => r.inputId === 'dup-1')?.content).toBe(results.find((r) => r.inputId === 'req-11')?.content);

    // One result record per distinct requirement: no duplicates, nothing lost, no records left behind.
    const stored = await storedResults(conn, submitted.id);
    const ids = await inputIds(conn, submitted.id);
    expect(stored.size).toBe(DISTINCT);
    expect(new Set(ids.map(([, k]) => k)).size).toBe(DISTINCT);
    expect(ids.every(([, k]) => stored.has(k))).toBe(true);
    expect(await leftoverItems(conn)).toBe(0);

    // Both processes generated agents.
    const byWorker = new Map<string, number>();
    for (const r of stored.values()) byWorker.set(r.w ?? '?', (byWorker.get(r.w ?? '?') ?? 0) + 1);
    console.log('agents generated per worker:', Object.fromEntries(byWorker));
    expect(byWorker.size).toBe(2);
    for (const n of byWorker.values()) expect(n).toBeGreaterThan(DISTINCT / 10);

    // No stage job left behind: nothing waiting, running or failed; completed jobs only up to the bounded count Bull Board shows.
    for (const stage of STAGES) {
      const { completed, ...rest } = await conn.queues[stage].getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed');
      expect(Object.values(rest).every((n) => n === 0), `${stage}: ${JSON.stringify(rest)}`).toBe(true);
      expect(completed).toBeLessThanOrEqual(KEEP_COMPLETED.count);
    }

    // Redis bytes kept per finished requirement: the batch hash, its ids list and the results.
    const keys = batchKeys(prefix, submitted.id);
    let bytes = 0;
    for (const key of [keys.batch, keys.ids, keys.results]) bytes += Number(await conn.redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
    const perRequirement = bytes / DISTINCT;
    console.log(`Redis bytes per finished requirement: ${perRequirement.toFixed(0)} (${bytes} bytes for ${DISTINCT} requirements, ${DISTINCT + DUPLICATES} input ids)`);
    expect(perRequirement).toBeLessThan(4096);
    // The finished batch expires after the retention.
    expect(await conn.redis.ttl(keys.results)).toBeGreaterThan(0);
  }, 90_000);

  it('an idempotency key returns the same batch; identical requirements reuse the cached agents', async () => {
    const texts = syntheticRequirements(DISTINCT, 7).slice(0, 20);
    const inputs = texts.map((requirement, i) => ({ id: `again-${i}`, requirement }));
    const first = await submitBatch(conn, inputs, { name: 'again', idempotencyKey: 'nightly-2026-11-25' });
    const second = await submitBatch(conn, inputs, { name: 'again', idempotencyKey: 'nightly-2026-11-25' });
    expect(second.id).toBe(first.id);
    expect(second.inputs).toBe(20);
    const done = await waitForBatch(conn, first.id, 20_000);
    expect(done.counts).toEqual({ pending: 0, completed: 20, failed: 0, cancelled: 0 });

    // Answered from the agents cache: the very record of the first batch, timings and worker included, marked as a cache answer.
    const before = await storedResults(conn, firstBatch);
    const now = await storedResults(conn, first.id);
    for (const [k, r] of now) expect(r).toEqual({ ...before.get(k), h: 1 });
    // Each distinct requirement's agent is cached once, for AF_AGENTS_TTL, compressed (about half its JSON).
    const cached = await conn.redis.keys(`${prefix}:cache:agents:*`);
    expect(cached).toHaveLength(DISTINCT);
    for (const key of cached.slice(0, 50)) {
      expect(await conn.redis.ttl(key)).toBeGreaterThan(2 * 86_400 - 120);
      expect(await conn.redis.ttl(key)).toBeLessThanOrEqual(2 * 86_400);
      const stored = (await conn.redis.getBuffer(key))!;
      expect(stored[0]).toBe(BROTLI_MARK);
      const agent = before.get(key.slice(key.lastIndexOf(':') + 1).split('-')[0]!);
      expect(stored.length).toBeLessThan(JSON.stringify(agent).length * 0.6);
    }

    const listed = await listBatches(conn);
    expect(listed.map((b) => b.id)).toEqual([first.id, firstBatch]);
    expect(listed[1]).toMatchObject({ name: 'five hundred', tenant: 'test', state: 'completed' });
  }, 30_000);

  it('a worker started while a batch runs joins it and generates part of it; each result names its worker', async () => {
    // A batch of its own (own prefix) on slower workers: each generation waits 60 ms, 2 at a time, so one
    // worker alone needs ~9 s and a second that takes seconds to start on a loaded machine still finds work.
    const latePrefix = testPrefix();
    const env = { REDIS_URL: redis.url, AF_PREFIX: latePrefix, AF_GENERATE_DELAY_MS: '60', AF_CONCURRENCY: 'generate=2' };
    const first = await spawnWorker(env);
    workers.push(first);
    const c = await connect({ redisUrl: redis.url, prefix: latePrefix }, { logger: createLogger({}, { level: 'error' }) });
    try {
      const n = 300;
      const submitted = await submitBatch(c, syntheticRequirements(n, 21).map((requirement, i) => ({ id: `late-${i}`, requirement })), { name: 'late joiner' });
      // The first worker is under way before the second starts ("another terminal").
      await waitForBatch(c, submitted.id, 30_000, (s) => s.counts.completed >= 20);
      const late = await spawnWorker(env);
      workers.push(late);
      const done = await waitForBatch(c, submitted.id, 60_000);
      expect(done.counts).toEqual({ pending: 0, completed: n, failed: 0, cancelled: 0 });

      const byWorker = new Map<string, number>();
      for await (const r of batchResults(c, submitted.id)) byWorker.set(r.worker ?? 'none', (byWorker.get(r.worker ?? 'none') ?? 0) + 1);
      console.log('agents per worker, the second started mid-batch:', Object.fromEntries(byWorker));
      expect([...byWorker.keys()].sort()).toEqual([first, late].map((w) => `${hostname()}:${w.child.pid}`).sort());
      expect(byWorker.get(`${hostname()}:${late.child.pid}`)).toBeGreaterThan(n / 10);
    } finally {
      await c.close();
    }
  }, 90_000);
});

