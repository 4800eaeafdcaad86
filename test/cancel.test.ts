import { batchResults, connect, createLogger, dropCancelledItems, getBatch, markCancelled, STAGES, submitBatch, type FactoryConnection, type ItemResult } from '@agent-factory/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticRequirements } from '../bench/synthetic.js';
import { runCli } from './helpers/cli.js';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

/** More than two of the cancel's pages (500 ids each). */
const DISTINCT = 1200;

describe('cancel (no worker)', () => {
  let redis: TestRedis;
  let conn: FactoryConnection;
  const prefix = testPrefix();

  beforeAll(async () => {
    redis = await startRedis({ appendonly: false });
    conn = await connect({ redisUrl: redis.url, prefix }, { logger: createLogger({}, { level: 'error' }) });
  }, 30_000);

  afterAll(async () => {
    await conn?.close();
    await redis?.stop();
  });

  /** The batch's stage jobs still in the queues, whatever their state. */
  async function queuedJobs(batchId: string): Promise<number> {
    const counts = await Promise.all(STAGES.map(async (stage) => (await conn.queues[stage].getJobs(['prioritized', 'wait', 'delayed'])).filter((job) => job.id?.startsWith(`${batchId}-`)).length));
    return counts.reduce((a, b) => a + b, 0);
  }

  it('a cancel interrupted part way is finished by the next `cancel`: every item cancelled once, counts adding up, no job left', async () => {
    const texts = syntheticRequirements(DISTINCT, 11);
    // A few ids share a requirement: one item answered for both, ended once.
    const inputs = [...texts.map((requirement, i) => ({ id: `r${i}`, requirement })), ...[0, 1, 2].map((i) => ({ id: `dup${i}`, requirement: texts[i]! }))];
    const batch = await submitBatch(conn, inputs, { name: 'to cancel' });
    expect(await queuedJobs(batch.id)).toBe(DISTINCT);

    // The first cancel dies after its first page (the process killed, Ctrl-C).
    await markCancelled(conn, batch.id);
    await dropCancelledItems(conn, batch.id, { limit: 500 });
    const halfway = (await getBatch(conn, batch.id))!;
    expect(halfway).toMatchObject({ state: 'cancelled', counts: { pending: DISTINCT - 500, cancelled: 500 } });
    expect(halfway.finishedAt).toBeUndefined();
    expect(await queuedJobs(batch.id)).toBe(DISTINCT - 500);

    const env = { REDIS_URL: redis.url, AF_PREFIX: prefix, LOG_LEVEL: 'error' };
    const again = await runCli(['cancel', batch.id], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`cancelled batch ${batch.id}: ${DISTINCT} requirement\\(s\\) stopped`));

    const done = (await getBatch(conn, batch.id))!;
    expect(done).toMatchObject({ state: 'cancelled', total: DISTINCT, counts: { pending: 0, completed: 0, failed: 0, cancelled: DISTINCT } });
    expect(done.finishedAt).toBeDefined();
    expect(await queuedJobs(batch.id)).toBe(0);
    const results: ItemResult[] = [];
    for await (const r of batchResults(conn, batch.id)) results.push(r);
    expect(results).toHaveLength(inputs.length);
    expect(results.every((r) => r.state === 'cancelled')).toBe(true);

    // Now there is nothing left to do.
    expect((await runCli(['cancel', batch.id], { env })).stdout).toMatch(/already cancelled; nothing to cancel/);
  }, 60_000);
});
