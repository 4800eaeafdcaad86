import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { startSimulator, type Simulator } from '@agent-factory/sim';
import type { MetricsReport } from '@agent-factory/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from './helpers/cli.js';
import { factoryRig } from './helpers/factory-rig.js';
import { sleep, waitForBatch, type WorkerProcess } from './helpers/queue-workers.js';
import { testPrefix } from './helpers/redis.js';

/**
 * A requirement that fails after the provider billed it: the first draft (a paid 200 answer) fails
 * the gates, the second request is refused (a 400) or fails until the retries run out; or its batch
 * is cancelled while the second request runs. What the simulator billed must show on the failed or
 * cancelled item in index.json and in `report`'s spend: nothing mocked (real Redis, the simulator,
 * a worker process, the CLI).
 */
/** Requirements with this word: a malformed first answer (billed, fails the gates), then a permanent 400. */
const REFUSED = 'Quuxify';
/** Requirements with this word: a malformed first answer, then 500s until the provider's and the stage's retries are spent. */
const FAULTY = 'Frobnitz';
/** Requirements with this word: a malformed first answer, then requests that hang until their batch is cancelled. */
const HANGING = 'Grault';

const rig = factoryRig();
let sim: Simulator;
let conn: FactoryConnection;
let worker: WorkerProcess;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sim = await startSimulator({
    seed: 11,
    ttftMs: 2,
    faults: { rules: [{ match: REFUSED, sequence: ['malformed'], then: '400' }, { match: FAULTY, sequence: ['malformed'], then: '500' }, { match: HANGING, sequence: ['malformed'], then: 'hang' }] },
  });
  const prefix = testPrefix();
  conn = await rig.open(prefix);
  env = { REDIS_URL: rig.redis.url, AF_PREFIX: prefix };
  worker = await rig.spawn({
    ...env, ANTHROPIC_API_KEY: 'sim-key', ANTHROPIC_BASE_URL: sim.url, AF_PROVIDER: 'anthropic', AF_RESEARCH: 'local',
    // One provider retry and two stage attempts: the 500s run out quickly.
    AF_GENERATION_RETRIES: '1', AF_ATTEMPTS: '2', AF_BACKOFF_MS: '100', AF_METRICS_PORT: '0',
  });
  dir = await mkdtemp(join(tmpdir(), 'af-failed-spend-'));
}, 30_000);

// Before the rig's (hooks after the tests run last-registered first): the worker is idle by then.
afterAll(async () => {
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The sum of a worker's Prometheus samples whose line starts with `series` (every label set of it). */
async function promSum(series: string): Promise<number> {
  const ready = worker.lines.find((l) => l.includes('"worker ready"'))!;
  const text = await (await fetch((JSON.parse(ready) as { metrics: string }).metrics)).text();
  return text.split('\n').filter((l) => l.startsWith(series)).reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

interface EndedEntry {
  state: string;
  error: string;
  usage?: { input: number; output: number; cacheCreation: number; cacheRead: number };
  costUsd?: number;
}

/** Prometheus's output tokens and dollars so far: the baseline a requirement's spend adds to. */
async function promSpend(): Promise<{ output: number; cost: number }> {
  return { output: await promSum('af_tokens_total{kind="output"'), cost: await promSum('af_cost_usd_total{') };
}

/**
 * The batch's one requirement ended `state` after the simulator billed one answer: its index.json
 * entry, `report` (JSON and text) and the worker's Prometheus counters count every token and dollar.
 */
async function expectBilledSpend(batchId: string, out: string, state: 'failed' | 'cancelled', error: RegExp, before: { output: number; cost: number }): Promise<void> {
  const billed = sim.ledger.snapshot();
  // The first draft was answered and billed; the later requests were not.
  expect(billed.messages.realtime).toBe(1);
  expect(billed.tokens.realtime.output).toBeGreaterThan(0);
  expect(billed.costUsd.realtime).toBeGreaterThan(0);

  const results = await runCli(['results', batchId, '--out', out], { env });
  // A failure is a finding; a cancel is what the user asked for.
  expect(results.code, results.stderr).toBe(state === 'failed' ? 1 : 0);
  const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as Record<string, EndedEntry>;
  expect(index['only']).toMatchObject({ state, usage: billed.tokens.realtime });
  expect(index['only']!.error).toMatch(error);
  expect(index['only']!.costUsd).toBeCloseTo(billed.costUsd.realtime, 6);

  const json = await runCli(['report', '--batch', batchId, '--json'], { env });
  expect(json.code, json.stderr).toBe(0);
  const report = JSON.parse(json.stdout) as MetricsReport;
  expect(report.totals).toMatchObject({ finished: 1, completed: 0, failed: state === 'failed' ? 1 : 0, cancelled: state === 'cancelled' ? 1 : 0 });
  const sum = (k: 'input' | 'output' | 'cacheWrite' | 'cacheRead'): number => report.usage.reduce((s, u) => s + u[k], 0);
  expect({ input: sum('input'), output: sum('output'), cacheCreation: sum('cacheWrite'), cacheRead: sum('cacheRead') }).toEqual(billed.tokens.realtime);
  // Spend, not agents: the requirement made none.
  expect(report.usage.map((u) => [u.mode, u.agents])).toEqual([['realtime', 0]]);
  expect(report.cost.total).toBeCloseTo(billed.costUsd.realtime, 6);
  const text = await runCli(['report', '--batch', batchId], { env });
  expect(text.stdout).toContain(`total $${report.cost.total.toFixed(4)}`);
  // The worker's Prometheus counters too.
  const after = await promSpend();
  expect(after.output - before.output).toBe(billed.tokens.realtime.output);
  expect(after.cost - before.cost).toBeCloseTo(billed.costUsd.realtime, 6);
}

describe('a requirement that fails after billed provider calls', () => {
  it.each([
    { marker: REFUSED, error: /^generate: .*400/ },
    { marker: FAULTY, error: /^generate: .*500.*\(after 2 attempts\)$/ },
  ])('$marker: index.json\'s failure and the report count every token and dollar the simulator billed', async ({ marker, error }) => {
    sim.ledger.reset();
    const before = await promSpend();
    const batch = await submitBatch(conn, [{ id: 'only', requirement: `Review ${marker} service configuration files for leaked secrets` }], { useCache: false });
    const status = await waitForBatch(conn, batch.id, 40_000);
    expect(status.counts).toMatchObject({ completed: 0, failed: 1 });
    await expectBilledSpend(batch.id, join(dir, marker), 'failed', error, before);
  }, 60_000);
});

describe('a requirement whose batch is cancelled after a billed provider call', () => {
  it('index.json\'s cancelled item and the report count what its first draft was billed', async () => {
    sim.ledger.reset();
    const before = await promSpend();
    const batch = await submitBatch(conn, [{ id: 'only', requirement: `Review ${HANGING} service configuration files for leaked secrets` }], { useCache: false });
    // The second generation runs (the first draft failed the gates): its request hangs.
    const deadline = Date.now() + 30_000;
    while (!(await conn.queues.generate.getJobs(['active'])).some((j) => (j.data as { a?: number }).a === 2)) {
      expect(Date.now(), 'the second generation never started').toBeLessThan(deadline);
      await sleep(50);
    }
    const cancel = await runCli(['cancel', batch.id], { env });
    expect(cancel.code, cancel.stderr).toBe(0);
    const status = await waitForBatch(conn, batch.id, 20_000);
    expect(status).toMatchObject({ state: 'cancelled', counts: { completed: 0, failed: 0, cancelled: 1 } });
    // The worker aborts the running job just after the cancel ended the item: its charge lands then.
    await vi.waitFor(async () => expect((await promSpend()).output).toBeGreaterThan(before.output), { timeout: 10_000, interval: 100 });
    await expectBilledSpend(batch.id, join(dir, HANGING), 'cancelled', /cancelled/, before);
  }, 60_000);
});
