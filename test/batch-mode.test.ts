import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateAgent } from '@agent-factory/core';
import { createAnthropicProvider } from '@agent-factory/llm';
import {
  batchKeys, batchModeUsage, batchResults, cancelBatch, connect, createLogger, llmBatchKeys, memberId, metricsReport, retryBatch, STAGES, startBatchCollector, startWorkers, submitBatch,
  type BatchCollector, type CollectorHooks, type FactoryConnection, type ItemResult, type StoredResult, type WorkerPool,
} from '@agent-factory/queue';
import { startSimulator, type Simulator } from '@agent-factory/sim';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { syntheticRequirements } from '../bench/synthetic.js';
import { runCli } from './helpers/cli.js';
import { inputIds, leftoverItems, storedResults, waitForBatch } from './helpers/queue-workers.js';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

// The CLI runs from dist: `npx tsc -b` first.

const quiet = createLogger({}, { level: 'error' });
/** Fast enough for a test: groups within ~0.3 s, polled every 0.1 s, batches end after 0.3 s. */
const FAST = { windowMs: 200, tickMs: 100, pollMs: 100 };

/** The cancelled items' usage and costUsd (index.json) add up to what the simulator billed in Message Batches. */
function expectCancelledSpend(results: readonly StoredResult[], sim: Simulator): void {
  const output = results.reduce((sum, r) => sum + (r.u?.[1] ?? 0), 0);
  const cost = results.reduce((sum, r) => sum + (r.$ ?? 0), 0);
  expect(output).toBe(sim.ledger.tokens.batch.output);
  // Each result keeps micro-dollars.
  expect(Math.abs(cost - sim.ledger.costUsd.batch)).toBeLessThan(results.length * 1e-6);
}

describe('submit --mode batch: Anthropic Message Batches end to end', () => {
  let redis: TestRedis;
  let dir: string;
  const open: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    redis = await startRedis({ appendonly: false });
    dir = await mkdtemp(join(tmpdir(), 'af-batch-mode-'));
  });
  afterEach(async () => {
    // Workers first, then collectors and connections, then the simulator.
    for (const o of open.splice(0).reverse()) await o.close();
  });
  afterAll(async () => {
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function connections(prefix: string): Promise<{ conn: FactoryConnection; workerConn: FactoryConnection }> {
    const conn = await connect({ redisUrl: redis.url, prefix }, { logger: quiet });
    const workerConn = await connect({ redisUrl: redis.url, prefix, backoffMs: 200 }, { role: 'worker', logger: quiet });
    open.push(conn, workerConn);
    return { conn, workerConn };
  }

  async function simulator(options: Parameters<typeof startSimulator>[0]): Promise<Simulator> {
    const sim = await startSimulator(options);
    open.push(sim);
    return sim;
  }

  async function workers(workerConn: FactoryConnection, sim: Simulator, hooks?: CollectorHooks, maxTokens?: number): Promise<{ pool: WorkerPool; collector: BatchCollector }> {
    const llm = createAnthropicProvider({ apiKey: 'sk-test', baseURL: sim.url, retryBaseMs: 10, ...(maxTokens ? { maxTokens } : {}) });
    // Started before the pool, so the generate stage finds this (fast) collector rather than making a default one.
    const collector = await startBatchCollector(workerConn, llm, { logger: quiet, options: FAST, ...(hooks ? { hooks } : {}) });
    const pool = await startWorkers(workerConn, { stages: [...STAGES], concurrency: {}, deps: { llm }, logger: quiet });
    open.push(collector, { close: () => pool.close() });
    return { pool, collector };
  }

  it('runs no flush ticker on a cluster that only generates in realtime; the first Message Batches request starts it', async () => {
    const prefix = testPrefix();
    const { conn, workerConn } = await connections(prefix);
    const sim = await simulator({});
    const { collector } = await workers(workerConn, sim);
    const realtime = await submitBatch(conn, syntheticRequirements(3, 51).map((requirement, i) => ({ id: `t-${i}`, requirement })));
    expect(await waitForBatch(conn, realtime.id, 20_000)).toMatchObject({ state: 'completed', counts: { completed: 3 } });
    expect(await collector.queue.getJobSchedulers()).toEqual([]);
    const batched = await submitBatch(conn, syntheticRequirements(3, 52).map((requirement, i) => ({ id: `m-${i}`, requirement })), { mode: 'batch' });
    expect(await waitForBatch(conn, batched.id, 20_000)).toMatchObject({ state: 'completed', counts: { completed: 3 } });
    expect((await collector.queue.getJobSchedulers()).map((s) => s.key)).toEqual(['llm-batches-flush']);
  }, 30_000);

  it('generates a 20-requirement batch through Message Batches; expired and errored requests fall back to realtime', async () => {
    const prefix = testPrefix();
    const { conn, workerConn } = await connections(prefix);
    const file = join(dir, 'twenty.jsonl');
    const texts = syntheticRequirements(20, 41);
    await writeFile(file, texts.map((requirement, i) => JSON.stringify({ id: `r-${i}`, requirement })).join('\n'));

    const submitted = await runCli(['submit', file, '--mode', 'batch', '--json'], { env: { REDIS_URL: redis.url, AF_PREFIX: prefix, LOG_LEVEL: 'error' } });
    expect(submitted.code, submitted.stderr).toBe(0);
    const batchId = (JSON.parse(submitted.stdout) as { id: string }).id;
    expect(await conn.redis.hget(batchKeys(prefix, batchId).batch, 'mode')).toBe('batch');

    // The custom_id is the natural (batch, requirement, attempt) id, so the simulator can be told which one expires.
    const keyOf = new Map(await inputIds(conn, batchId));
    const idOf = (input: string): string => memberId({ b: batchId, k: keyOf.get(input)!, a: 1 });
    const expiredKey = keyOf.get('r-3')!;
    const erroredKey = keyOf.get('r-7')!;
    const malformedKey = keyOf.get('r-11')!;
    expect(idOf('r-3')).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    // r-11's first answer fails the gates: its second attempt (with the findings) goes in a second Message Batch.
    const sim = await simulator({ batch: { processingMs: 300, expire: [idOf('r-3')], error: [idOf('r-7')], malformed: [idOf('r-11')] } });
    await workers(workerConn, sim);

    const started = performance.now();
    const done = await waitForBatch(conn, batchId, 25_000);
    console.log(`20 requirements in batch mode: ${((performance.now() - started) / 1000).toFixed(2)} s, ${sim.ledger.batches.created} Message Batch(es)`);
    expect(done).toMatchObject({ state: 'completed', counts: { pending: 0, completed: 20, failed: 0, cancelled: 0 } });

    const results: ItemResult[] = [];
    for await (const r of batchResults(conn, batchId)) results.push(r);
    for (const r of results) {
      const report = await validateAgent(r.content ?? '');
      expect(report.passed, `${r.inputId}: ${JSON.stringify(report.gates.flatMap((g) => g.findings))}`).toBe(true);
    }

    // Every generation was a batch request except the expired and the errored one, which went realtime once each.
    const ledger = sim.ledger.snapshot();
    expect(ledger.batches).toMatchObject({ created: 2, requests: 21, results: { succeeded: 19, errored: 1, expired: 1, canceled: 0 } });
    expect(ledger.messages).toEqual({ realtime: 2, batch: 19 });
    expect(ledger.requests.byEndpoint['POST /v1/messages']).toBe(2);

    // The stored results say which drafts were batch-priced.
    const stored = await storedResults(conn, batchId);
    for (const key of [expiredKey, erroredKey]) expect(stored.get(key)?.m).toMatch(/^anthropic\//);
    expect(stored.get(malformedKey)).toMatchObject({ a: 2, p: true, m: expect.stringMatching(/^anthropic-batch\//) });
    for (const [key, result] of stored) if (key !== expiredKey && key !== erroredKey) expect(result.m, key).toMatch(/^anthropic-batch\//);

    // Usage recorded equals the simulator's batch tokens; the cost is the batch price.
    const usage = await batchModeUsage(conn, batchId);
    expect({ input: usage.input, output: usage.output, cacheCreation: usage.cacheCreation, cacheRead: usage.cacheRead }).toEqual(ledger.tokens.batch);
    expect(usage.costUsd).toBeCloseTo(ledger.costUsd.batch, 9);
    expect(usage).toMatchObject({ requests: ledger.messages.batch, fallbacks: 2 });
    expect(await batchModeUsage(conn)).toEqual(usage);

    // Nothing left waiting or half-done.
    const keys = llmBatchKeys(prefix);
    expect(await conn.redis.zcard(keys.pending)).toBe(0);
    expect(await conn.redis.zcard(keys.forming)).toBe(0);
    expect(await leftoverItems(conn)).toBe(0);
  });

  it('cancel: the Message Batch of a cancelled batch is cancelled at Anthropic, and what was billed anyway is in the report', async () => {
    const prefix = testPrefix();
    const { conn, workerConn } = await connections(prefix);
    const sim = await simulator({ batch: { processingMs: 3000 } });
    await workers(workerConn, sim);
    const n = 8;
    const batch = await submitBatch(conn, syntheticRequirements(n, 61).map((requirement, i) => ({ id: `c-${i}`, requirement })), { useCache: false, mode: 'batch' });
    const until = async (what: string, done: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> => {
      const deadline = Date.now() + ms;
      while (!(await done())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until('the Message Batch', () => sim.ledger.batches.created === 1);
    // About half-way through its processing: some requests are answered (and billed) before the cancel reaches it.
    await new Promise((r) => setTimeout(r, 1500));
    await cancelBatch(conn, batch.id);
    await until('the cancelled Message Batch to end', () => sim.ledger.batches.results.canceled + sim.ledger.batches.results.succeeded === n);
    const { results } = sim.ledger.batches;
    expect(results.canceled).toBeGreaterThan(0);
    expect(results.succeeded).toBeGreaterThan(0);
    expect(sim.ledger.requests.byEndpoint['POST /v1/messages/batches/:id/cancel']).toBe(1);
    // The billed results are applied (then recorded) after the batch ended: wait for them to be counted.
    const billed = sim.ledger.costUsd.batch;
    await until('the billed spend in the report', async () => {
      const report = await metricsReport(conn, { batch: batch.id });
      // The counters keep micro-dollars.
      return Math.abs((report?.cost.total ?? 0) - billed) < 2e-6;
    });
    const report = (await metricsReport(conn, { batch: batch.id }))!;
    expect(report.usage.every((u) => u.mode === 'batch' && u.agents === 0)).toBe(true);
    expect(report.usage.reduce((sum, u) => sum + u.output, 0)).toBe(sim.ledger.tokens.batch.output);
    // Spend, not agents: nothing counts as completed.
    expect(report.totals.completed).toBe(0);
    // The cancelled items count the same bill in index.json.
    expectCancelledSpend([...(await storedResults(conn, batch.id)).values()], sim);
    // Nothing was generated realtime for the cancelled requests.
    expect(sim.ledger.requests.byEndpoint['POST /v1/messages'] ?? 0).toBe(0);
  });

  it('cancel: drafts a Message Batch answered before the cancel, kept in the records with their validate jobs queued, count on the cancelled items and in the report', async () => {
    const prefix = testPrefix();
    const { conn, workerConn } = await connections(prefix);
    const sim = await simulator({ batch: { processingMs: 200 } });
    const llm = createAnthropicProvider({ apiKey: 'sk-test', baseURL: sim.url, retryBaseMs: 10 });
    const collector = await startBatchCollector(workerConn, llm, { logger: quiet, options: FAST });
    // Nothing runs validate: the answered drafts stay in the item records until the cancel.
    const pool = await startWorkers(workerConn, { stages: ['analyze', 'research', 'generate'], concurrency: {}, deps: { llm }, logger: quiet });
    open.push(collector, { close: () => pool.close() });
    const n = 3;
    const batch = await submitBatch(conn, syntheticRequirements(n, 62).map((requirement, i) => ({ id: `k-${i}`, requirement })), { useCache: false, mode: 'batch' });
    const deadline = Date.now() + 15_000;
    while ((await conn.queues.validate.count()) < n) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the validate jobs');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(sim.ledger.messages).toEqual({ realtime: 0, batch: n });
    await cancelBatch(conn, batch.id);
    // Counted by the cancel itself.
    const stored = [...(await storedResults(conn, batch.id)).values()];
    expect(stored.map((r) => r.s)).toEqual(Array(n).fill('cancelled'));
    expectCancelledSpend(stored, sim);
    const report = (await metricsReport(conn, { batch: batch.id }))!;
    expect(report.totals).toMatchObject({ cancelled: n, completed: 0 });
    expect(report.usage.every((u) => u.mode === 'batch' && u.agents === 0)).toBe(true);
    expect(report.usage.reduce((sum, u) => sum + u.output, 0)).toBe(sim.ledger.tokens.batch.output);
    expect(Math.abs(report.cost.total - sim.ledger.costUsd.batch)).toBeLessThan(2e-6);
  });

  it('retry of a requirement whose Message Batches request and realtime fallback failed: it is requested again, and its fallback runs again', async () => {
    const prefix = testPrefix();
    const { conn, workerConn } = await connections(prefix);
    const batch = await submitBatch(conn, [{ id: 'z', requirement: 'Audit the Kafka consumer lag alerts of team ZEBRA' }], { useCache: false, mode: 'batch' });
    const key = (await inputIds(conn, batch.id))[0]?.[1];
    // Its Message Batches request errors every time; its realtime fallback is refused (400) the first time only.
    const sim = await simulator({ batch: { processingMs: 100, error: [memberId({ b: batch.id, k: key!, a: 1 })] }, faults: { rules: [{ match: 'ZEBRA', sequence: ['400'], then: 'ok' }] } });
    await workers(workerConn, sim);
    expect(await waitForBatch(conn, batch.id, 20_000)).toMatchObject({ state: 'completed', counts: { completed: 0, failed: 1 } });
    expect(await retryBatch(conn, batch.id)).toEqual({ outcome: 'retried', retried: 1, remaining: 0 });
    expect(await waitForBatch(conn, batch.id, 20_000)).toMatchObject({ state: 'completed', counts: { pending: 0, completed: 1, failed: 0 } });
    expect(sim.ledger.messages.realtime).toBe(1);
  }, 45_000);

  it('an answer cut off at max_tokens is not asked for again in a second Message Batch: the offline generator answers, saying why', async () => {
    const prefix = testPrefix();
    const { conn, workerConn } = await connections(prefix);
    const sim = await simulator({ batch: { processingMs: 200 } });
    await workers(workerConn, sim, undefined, 300);
    const batch = await submitBatch(conn, syntheticRequirements(3, 71).map((requirement, i) => ({ id: `t-${i}`, requirement })), { useCache: false, mode: 'batch' });
    const done = await waitForBatch(conn, batch.id, 20_000);
    expect(done.counts).toMatchObject({ completed: 3, failed: 0 });
    expect(sim.ledger.batches.created).toBe(1);
    expect(sim.ledger.messages).toEqual({ realtime: 0, batch: 3 });
    const stored = [...(await storedResults(conn, batch.id)).values()];
    for (const r of stored) {
      expect(r.m).toMatch(/^offline\//);
      expect((r.d ?? []).join('\n')).toMatch(/anthropic-batch: the answer was cut off at max_tokens \(300\): raise AF_GENERATION_MAX_TOKENS; the offline generator answered/);
    }
    // Billed at the batch price, as the simulator booked it.
    expect(stored.reduce((sum, r) => sum + (r.$ ?? 0), 0)).toBeCloseTo(sim.ledger.costUsd.batch, 5);
  });

  it('a collector that dies between create and recording the id adopts that batch instead of creating a second', async () => {
    const prefix = testPrefix();
    const { conn, workerConn } = await connections(prefix);
    const sim = await simulator({ batch: { processingMs: 300 } });
    let crashes = 0;
    const created: string[] = [];
    await workers(workerConn, sim, {
      afterCreate(_group: string, anthropicId: string) {
        created.push(anthropicId);
        if (crashes++ === 0) throw new Error('simulated crash after create');
      },
    });
    const batch = await submitBatch(conn, syntheticRequirements(5, 43).map((requirement, i) => ({ id: `c-${i}`, requirement })), { mode: 'batch' });
    const done = await waitForBatch(conn, batch.id, 20_000);
    expect(done).toMatchObject({ state: 'completed', counts: { completed: 5, failed: 0 } });
    // The retry found the orphan: one Message Batch for one group, every request answered from it.
    expect(crashes).toBe(1);
    expect(sim.ledger.batches.created).toBe(created.length);
    expect(sim.ledger.batches.created).toBe(1);
    expect(sim.ledger.messages.realtime).toBe(0);
    expect(await batchModeUsage(conn, batch.id)).toMatchObject({ requests: sim.ledger.messages.batch, fallbacks: 0 });
  });
});
