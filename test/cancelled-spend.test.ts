import type { LlmProvider, Usage } from '@agent-factory/core';
import { costOf } from '@agent-factory/llm';
import { batchResults, cancelBatch, metricsReport, submitBatch, type FactoryConnection, type ItemResult } from '@agent-factory/queue';
import { describe, expect, it, vi } from 'vitest';
import { factoryRig } from './helpers/factory-rig.js';
import { testPrefix } from './helpers/redis.js';

/**
 * A provider call that completes, billed, just as its batch is cancelled: the job sees the abort only
 * after the answer came (the worker in this process, real Redis and BullMQ; the provider a stand-in
 * that answers at the abort). The cancelled item counts the bill; the simulator covers the other way
 * round (a billed first draft, then a second request the cancel aborts) in failed-spend.test.ts.
 */
const rig = factoryRig();
const MODEL = 'claude-haiku-4-5';
const USAGE: Usage = { input: 1200, output: 800, cacheCreation: 0, cacheRead: 300, estimated: false };

/** A provider that answers at once, billed USAGE at MODEL. */
const billedAtOnce: LlmProvider = {
  name: 'billed',
  async generate() {
    return { content: '---\nname: quick\ndescription: quick\n---\nQuick.\n', usage: USAGE, model: MODEL };
  },
};

/** The batch's results as index.json lists them. */
async function resultsOf(conn: FactoryConnection, batchId: string): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  for await (const r of batchResults(conn, batchId)) results.push(r);
  return results;
}

const COST = costOf(USAGE, MODEL);
const { estimated: _, ...BILLED } = USAGE;

/** The batch's one item is cancelled and counts USAGE's bill once: on its result (index.json) and in the report. */
async function expectBilledOnce(conn: FactoryConnection, batchId: string): Promise<void> {
  const results = await resultsOf(conn, batchId);
  expect(results).toMatchObject([{ state: 'cancelled', usage: BILLED }]);
  expect(results[0]!.costUsd).toBeCloseTo(COST, 6);
  const report = await metricsReport(conn, { batch: batchId });
  expect(report?.totals).toMatchObject({ finished: 1, cancelled: 1 });
  expect(report?.usage).toMatchObject([{ model: MODEL, mode: 'realtime', agents: 0, input: USAGE.input, output: USAGE.output, cacheRead: USAGE.cacheRead }]);
  expect(report?.cost.total).toBeCloseTo(COST, 6);
}

describe('a draft billed as its batch is cancelled', () => {
  it('counts on the cancelled item (index.json\'s usage and costUsd) and in the report\'s spend', async () => {
    const prefix = testPrefix();
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const llm: LlmProvider = {
      name: 'billed-at-abort',
      async generate(_request, options) {
        started();
        // The answer arrives as the cancel does: billed, though the job is aborted.
        await new Promise<void>((resolve) => options?.signal?.addEventListener('abort', () => resolve(), { once: true }));
        return { content: '---\nname: late\ndescription: late\n---\nLate.\n', usage: USAGE, model: MODEL };
      },
    };
    await rig.workers(prefix, { deps: { llm } });
    const conn = await rig.open(prefix);
    const batch = await submitBatch(conn, [{ id: 'only', requirement: 'Review pull requests for common mistakes' }], { useCache: false });
    await running;
    expect((await cancelBatch(conn, batch.id))?.state).toBe('cancelled');
    await vi.waitFor(() => expectBilledOnce(conn, batch.id), { timeout: 5000, interval: 50 });
  }, 30_000);

  it('carried by a queued validate job the cancel removes (no worker runs validate): counts on the cancelled item and in the report, once', async () => {
    const prefix = testPrefix();
    // Stages split: nothing runs validate, so the draft waits in its job's data when the batch is cancelled.
    await rig.workers(prefix, { stages: ['analyze', 'research', 'generate'], deps: { llm: billedAtOnce } });
    const conn = await rig.open(prefix);
    const batch = await submitBatch(conn, [{ id: 'only', requirement: 'Review pull requests for common mistakes' }], { useCache: false });
    await vi.waitFor(async () => expect(await conn.queues.validate.getJobCounts('prioritized', 'wait')).toMatchObject({ prioritized: 1 }), { timeout: 10_000, interval: 50 });
    expect((await cancelBatch(conn, batch.id))?.state).toBe('cancelled');
    expect(await conn.queues.validate.count()).toBe(0);

    // Counted by the cancel itself: no worker had to run for it.
    await expectBilledOnce(conn, batch.id);

    // A validate worker that starts later, and a second cancel, count nothing more.
    await rig.workers(prefix, { stages: ['validate'], deps: { llm: billedAtOnce } });
    await cancelBatch(conn, batch.id);
    await new Promise((r) => setTimeout(r, 300));
    await expectBilledOnce(conn, batch.id);
  }, 30_000);

  it('carried by a generate retry waiting out its backoff (the first draft failed the gates, the second request failed): counts once', async () => {
    const prefix = testPrefix();
    let calls = 0;
    const llm: LlmProvider = {
      name: 'billed-then-down',
      async generate() {
        calls++;
        // A billed first draft the gates reject (no front matter), then an outage.
        if (calls === 1) return { content: 'Not an agent file.', usage: USAGE, model: MODEL };
        throw new Error('connection reset');
      },
    };
    // A long backoff: the second attempt's retry waits, delayed, carrying the first draft.
    await rig.workers(prefix, { deps: { llm } }, { attempts: 3, backoffMs: 60_000 });
    const conn = await rig.open(prefix);
    const batch = await submitBatch(conn, [{ id: 'only', requirement: 'Review pull requests for common mistakes' }], { useCache: false });
    await vi.waitFor(async () => expect(await conn.queues.generate.getJobCounts('delayed')).toMatchObject({ delayed: 1 }), { timeout: 10_000, interval: 50 });
    expect(calls).toBe(2);
    await cancelBatch(conn, batch.id);

    await expectBilledOnce(conn, batch.id);
  }, 30_000);
});
