// A requirement whose workers die under it (SIGKILL, as a crash or an OOM kill would) runs again up to
// a bound tied to AF_ATTEMPTS; the re-runs count as retries, and past the bound it fails in plain words.
import { batchResults, metricsReport, submitBatch, type FactoryConnection, type ItemResult } from '@agent-factory/queue';
import { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { factoryRig } from './helpers/factory-rig.js';
import { sleep, waitForBatch, type WorkerProcess } from './helpers/queue-workers.js';
import { testPrefix } from './helpers/redis.js';

// 4 attempts: a job may stop 3 times and still run again; the 4th stop fails it.
const ATTEMPTS = 4;

describe('stalled jobs', () => {
  const rig = factoryRig();

  // Short locks, so a killed worker's job runs again within seconds; generation slow enough to kill it mid-run.
  const worker = (prefix: string): Promise<WorkerProcess> =>
    rig.spawn({ AF_PREFIX: prefix, AF_LOCK_MS: '1500', AF_ATTEMPTS: String(ATTEMPTS), AF_GENERATE_DELAY_MS: '4000', AF_RESEARCH: 'none' });

  /** Submits one requirement and SIGKILLs the worker running its generation `kills` times, starting a new one each time. */
  async function killUnder(kills: number): Promise<{ conn: FactoryConnection; batchId: string }> {
    const prefix = testPrefix();
    let current = await worker(prefix);
    const conn = await rig.open(prefix);
    const batch = await submitBatch(conn, [{ id: 'one', requirement: 'Review pull requests for common mistakes' }], { useCache: false });
    for (let run = 1; run <= kills; run++) {
      // The run-th start of the generate job, on the current worker.
      const deadline = Date.now() + 20_000;
      for (;;) {
        const [job] = await conn.queues.generate.getJobs(['active']);
        if (job && job.attemptsStarted === run) break;
        expect(Date.now(), `generate run ${run} never started`).toBeLessThan(deadline);
        await sleep(100);
      }
      current.child.kill('SIGKILL');
      await current.exited;
      current = await worker(prefix);
    }
    return { conn, batchId: batch.id };
  }

  async function onlyResult(conn: FactoryConnection, batchId: string): Promise<ItemResult> {
    const results: ItemResult[] = [];
    for await (const r of batchResults(conn, batchId)) results.push(r);
    expect(results).toHaveLength(1);
    return results[0]!;
  }

  it('a job whose workers die fewer times than its attempts completes, and its re-runs count as retries', async () => {
    const { conn, batchId } = await killUnder(ATTEMPTS - 1);
    const done = await waitForBatch(conn, batchId, 30_000);
    expect(done.state).toBe('completed');
    expect(await onlyResult(conn, batchId)).toMatchObject({ state: 'completed' });
    const report = await metricsReport(conn, { batch: batchId });
    expect(report?.troubleshooting.retries).toBe(ATTEMPTS - 1);
  }, 90_000);

  it('a job whose workers die as often as its attempts fails in plain words, saying how to run it again', async () => {
    const { conn, batchId } = await killUnder(ATTEMPTS);
    const done = await waitForBatch(conn, batchId, 30_000);
    expect(done.state).toBe('completed');
    expect(done.counts.failed).toBe(1);
    const result = await onlyResult(conn, batchId);
    expect(result.error).toBe(`generate: the workers running it stopped (crashed or lost Redis) ${ATTEMPTS} times; \`agent-factory retry ${batchId}\` runs it again`);
    // Bull Board reads the failed job's own reason: the same plain words, not BullMQ's "job stalled more than allowable limit".
    const [failed] = await conn.queues.generate.getJobs(['failed']);
    expect((await Job.fromId(conn.queues.generate, failed!.id!))?.failedReason).toBe(result.error);
    const report = await metricsReport(conn, { batch: batchId });
    expect(report?.troubleshooting.retries).toBeGreaterThanOrEqual(ATTEMPTS - 1);
  }, 90_000);
});
