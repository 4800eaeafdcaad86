// Case 2: Redis (AOF on, fsync always) killed and started again mid-batch; the workers must come
// back by themselves and the batch must end with nothing lost.
import { listBatches, submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { runCli } from '../helpers/cli.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { countBatch, expectSound, peekBatch, report, settle } from './counts.js';
import { syntheticInputs, type Fleet } from './fleet.js';
import { sleep } from '../helpers/queue-workers.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { startRig, type FaultRig } from './rig.js';

const REQUIREMENTS = 300;
const DOWN_MS = 1000;

let redis: TestRedis;
let rig: FaultRig;
let conn: FactoryConnection;
let fleet: Fleet;

beforeAll(async () => {
  redis = await startRedis({ appendonly: true });
  // 150 ms per generation, 4 at once per worker: the batch lasts several seconds, long enough to restart Redis in it.
  // Locks of 10 s outlive the outage, so the workers carry on with their own jobs once Redis is back.
  rig = await startRig(redis, { AF_GENERATE_DELAY_MS: '150', AF_CONCURRENCY: 'generate=4', AF_LOCK_MS: '10000' });
  ({ fleet, conn } = rig);
  await fleet.grow(2);
}, 60_000);

afterAll(() => rig?.stop());

/** The batch's completed count, polled until it is readable (Redis may be loading its AOF). */
async function completedNow(batchId: string): Promise<number> {
  for (;;) {
    const s = await peekBatch(conn, batchId);
    if (s) return s.counts.completed;
    await sleep(20);
  }
}

it('Redis restarted mid-batch with AOF: the workers come back by themselves, nothing lost', async () => {
  const started = Date.now();
  const batch = await submitBatch(conn, syntheticInputs(REQUIREMENTS, 202), { useCache: false });
  while ((await completedNow(batch.id)) < REQUIREMENTS / 4) await sleep(20);

  // Everything completed so far was fsynced before it was acknowledged: any count above this one
  // was completed after the restart.
  const before = await completedNow(batch.id);
  const killedAt = Date.now();
  await redis.restart({ downMs: DOWN_MS });
  const backAt = Date.now();
  while ((await completedNow(batch.id)) <= before && Date.now() - backAt < 60_000) await sleep(20);
  const recoveryMs = Date.now() - backAt;

  await settle(conn, batch.id, 90_000);
  const counts = await countBatch(conn, batch.id);
  report('Redis restarted mid-batch (AOF)', counts, {
    'completed before the restart': before,
    'Redis down': `${backAt - killedAt} ms`,
    'first completion after Redis was back': `${recoveryMs} ms`,
    'batch time': `${Date.now() - started} ms`,
  });
  expectSound(counts);
  expect(counts.completed).toBe(REQUIREMENTS);
  expect(recoveryMs).toBeLessThan(30_000);
  // The same processes resumed: none crashed or had to be replaced.
  expect(fleet.started.every((w) => w.child.exitCode === null && w.child.signalCode === null)).toBe(true);
}, 180_000);

it('submit --wait waits out a Redis restart and ends with the batch completed', async () => {
  const lines = Array.from({ length: 120 }, (_, i) => `Review the Terraform module number ${i} of the platform team for public S3 buckets`).join('\n');
  const run = runCli(['submit', '-', '--wait', '--json', '--name', 'waits-out-restart', '--no-cache'], { input: `${lines}\n`, env: { REDIS_URL: redis.url, AF_PREFIX: rig.prefix, LOG_LEVEL: 'error' } });
  // Restart once the batch is running and some of it is done.
  let batchId: string | undefined;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const found = (await listBatches(conn, 10)).find((b) => b.name === 'waits-out-restart');
    if (found && found.counts.completed >= 10) {
      batchId = found.id;
      break;
    }
    await sleep(20);
  }
  expect(batchId).toBeDefined();
  await redis.restart({ downMs: DOWN_MS });
  const { code, stdout, stderr } = await run;
  expect(stderr).toMatch(/Redis is not answering; waiting for it/);
  expect(code, stderr).toBe(0);
  expect(JSON.parse(stdout)).toMatchObject({ id: batchId, state: 'completed', counts: { completed: 120, failed: 0 } });
}, 180_000);
