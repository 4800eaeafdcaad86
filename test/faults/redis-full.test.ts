// Redis at maxmemory (noeviction) mid-batch: it refuses every write. The workers must neither fail
// requirements for it nor leave any stuck: they pause, say so once, and finish by themselves once
// there is room; what frees memory (cancel, delete) must still run. And a stage job that failed for good without marking its requirement (its process
// died between the two) must not leave its batch waiting forever.
import { cancelBatch, deleteBatch, listBatches, submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { runCli } from '../helpers/cli.js';
import { UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { limitMemory, usedMemory } from '../helpers/maxmemory.js';
import { sleep } from '../helpers/queue-workers.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { countBatch, expectSound, peekBatch, report, settle } from './counts.js';
import { syntheticInputs, type Fleet } from './fleet.js';
import { startRig, type FaultRig } from './rig.js';

const REQUIREMENTS = 300;
const FULL_MS = 6000;

let redis: TestRedis;
let rig: FaultRig;
let conn: FactoryConnection;
let fleet: Fleet;

beforeAll(async () => {
  redis = await startRedis({ appendonly: false });
  // Short backoff: without the pause, a full Redis would use up every attempt within the case.
  rig = await startRig(redis, { AF_GENERATE_DELAY_MS: '20', AF_BACKOFF_MS: '50' });
  ({ fleet, conn } = rig);
}, 60_000);

afterAll(() => rig?.stop());

it('Redis full mid-batch: nothing fails for it, the workers pause and say so, and the batch completes once there is room', async () => {
  await fleet.grow(2);
  const batch = await submitBatch(conn, syntheticInputs(REQUIREMENTS, 707), { useCache: false });
  while (((await peekBatch(conn, batch.id))?.counts.completed ?? 0) < 30) await sleep(20);
  // Below what Redis already holds: every write is refused from now on.
  await limitMemory(conn.redis, -512 * 1024);
  await sleep(FULL_MS);
  const whileFull = await peekBatch(conn, batch.id);
  await conn.redis.config('SET', 'maxmemory', '0');

  await settle(conn, batch.id, 90_000);
  const counts = await countBatch(conn, batch.id);
  report('Redis full mid-batch', counts, { 'failed while full': whileFull?.counts.failed ?? -1, 'Redis full': `${FULL_MS} ms` });
  expect(whileFull?.counts.failed).toBe(0);
  expectSound(counts);
  expect(counts.completed).toBe(REQUIREMENTS);
  const logs = fleet.started.flatMap((w) => w.lines);
  expect(logs.filter((l) => l.includes('Redis is full')).length).toBeGreaterThan(0);
  // One line when it fills and one when it has room again per process, not one per refused write.
  const refusals = logs.filter((l) => l.includes('OOM command not allowed'));
  expect(refusals.length, refusals.slice(0, 3).join('\n')).toBeLessThanOrEqual(2 * fleet.started.length);
  expect(logs.filter((l) => l.includes('Redis has room again')).length).toBeGreaterThan(0);
}, 180_000);

it('a stage job failed for good without marking its requirement: a worker ends it as failed with the job\'s reason, and the batch ends', async () => {
  // No worker may take the job this case fails by hand.
  await fleet.stopAll();
  const batch = await submitBatch(conn, syntheticInputs(20, 708), { useCache: false });
  // What a worker that died between failing the job and marking its requirement leaves behind.
  const taker = new Worker('analyze', null, { connection: { host: '127.0.0.1', port: redis.port }, prefix: rig.prefix, autorun: false });
  let job = await taker.getNextJob('dying-worker');
  while (!job) job = await taker.getNextJob('dying-worker');
  await job.moveToFailed(new UnrecoverableError('analyze: the machine running it went away'), 'dying-worker');
  await taker.close();

  await fleet.grow(1);
  await settle(conn, batch.id, 60_000);
  const counts = await countBatch(conn, batch.id);
  report('failed job left its requirement pending', counts);
  expectSound(counts);
  expect(counts.completed).toBe(19);
  expect([...counts.reasons]).toEqual([['analyze: the machine running it went away', 1]]);
}, 120_000);

it('on a full Redis a batch can still be cancelled and deleted, which is what makes room', async () => {
  await fleet.stopAll();
  const batch = await submitBatch(conn, syntheticInputs(400, 709), { useCache: false });
  const full = await limitMemory(conn.redis, -256 * 1024);
  try {
    const cancelled = await cancelBatch(conn, batch.id);
    expect(cancelled).toMatchObject({ state: 'cancelled', counts: { pending: 0, cancelled: 400 } });
    expect(await deleteBatch(conn, batch.id)).toBe('deleted');
    // Its queued jobs and records went with it: Redis has room again.
    expect(await usedMemory(conn.redis)).toBeLessThan(full);
  } finally {
    await conn.redis.config('SET', 'maxmemory', '0');
  }
}, 60_000);

it('submit --wait says why its batch stalls while Redis is full, and ends completed once there is room', async () => {
  await fleet.grow(1);
  const lines = Array.from({ length: 200 }, (_, i) => `Review the Ansible role number ${i} of the platform team for hard-coded secrets`).join('\n');
  const run = runCli(['submit', '-', '--wait', '--json', '--name', 'waits-for-room', '--no-cache'], { input: `${lines}\n`, env: { REDIS_URL: redis.url, AF_PREFIX: rig.prefix, LOG_LEVEL: 'error' } });
  let batchId: string | undefined;
  while (batchId === undefined) {
    const found = (await listBatches(conn, 10)).find((b) => b.name === 'waits-for-room');
    if (found && found.counts.completed >= 10) batchId = found.id;
    else await sleep(20);
  }
  await limitMemory(conn.redis, -512 * 1024);
  try {
    // The wait looks for a reason after 10 s without progress.
    await sleep(14_000);
  } finally {
    await conn.redis.config('SET', 'maxmemory', '0');
  }
  const { code, stdout, stderr } = await run;
  expect(stderr).toMatch(new RegExp(`^agent-factory: Redis is full \\([\\d.]+ MB of maxmemory [\\d.]+ MB\\): batch ${batchId} waits for room; \`agent-factory doctor\` says how to make it$`, 'm'));
  expect(code, stderr).toBe(0);
  expect(JSON.parse(stdout)).toMatchObject({ id: batchId, state: 'completed', counts: { completed: 200, failed: 0 } });
}, 120_000);

it('SIGTERM while Redis is full: every worker still closes its connections and exits 0', async () => {
  await fleet.stopAll();
  const slots = [fleet.live.length, fleet.live.length + 1];
  await fleet.grow(2);
  // With the shared cache on, the workers hold hit counters that a full Redis refuses to take at shutdown.
  const batch = await submitBatch(conn, syntheticInputs(300, 710));
  while (((await peekBatch(conn, batch.id))?.counts.completed ?? 0) < 30) await sleep(20);
  await limitMemory(conn.redis, -512 * 1024);
  try {
    await sleep(3000);
    const exits = await Promise.all(slots.map((slot) => fleet.signal(slot, 'SIGTERM')));
    expect(exits).toEqual([0, 0]);
  } finally {
    await conn.redis.config('SET', 'maxmemory', '0');
  }
}, 90_000);
