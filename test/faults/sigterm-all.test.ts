// Case 5: SIGTERM to every worker mid-batch (a deploy), then new workers. A graceful shutdown hands
// its running jobs back, so nothing waits for BullMQ's stalled-job check and nothing is lost.
import { STAGES, submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { countBatch, expectSound, peekBatch, report, settle } from './counts.js';
import { syntheticInputs, type Fleet } from './fleet.js';
import { watchStalled, type StalledWatch } from './stalled.js';
import { sleep } from '../helpers/queue-workers.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { startRig, type FaultRig } from './rig.js';

const REQUIREMENTS = 200;
const WORKERS = 2;
const LOCK_MS = 2000;
const GRACE_MS = 300;
/** Each generation takes this long, longer than the grace period: SIGTERM always finds jobs running. */
const GENERATE_MS = 600;

// The CPU stages' concurrency is bounded: 50 continuations at once on a starved CPU delay the
// lock-renewal timer past a 2 s lock, and a live worker's job would stall for reasons not this case's.
let rig: FaultRig;
let conn: FactoryConnection;
let fleet: Fleet;
let stalled: StalledWatch;

beforeAll(async () => {
  const redis: TestRedis = await startRedis({ appendonly: false });
  rig = await startRig(redis, { AF_LOCK_MS: String(LOCK_MS), AF_GRACE_MS: String(GRACE_MS), AF_GENERATE_DELAY_MS: String(GENERATE_MS), AF_CONCURRENCY: 'analyze=8,research=8,generate=8,validate=8' });
  ({ fleet, conn } = rig);
  // BullMQ publishes every job its stalled-job check moves back: none may appear.
  stalled = await watchStalled(redis.port, rig.prefix);
  await fleet.grow(WORKERS);
}, 60_000);

afterAll(() => rig?.stop(() => stalled?.close()));

it('SIGTERM to every worker mid-batch, then new workers: nothing stalled, nothing lost', async () => {
  const started = Date.now();
  const batch = await submitBatch(conn, syntheticInputs(REQUIREMENTS, 505), { useCache: false });
  while (((await peekBatch(conn, batch.id))?.counts.completed ?? 0) < REQUIREMENTS / 5) await sleep(25);
  // The generations in flight: a 600 ms generation outlasts the 300 ms grace, so these are handed back.
  const running = (await conn.queues.generate.getActive()).map((j) => j.id!);

  // Every worker at once, as a deploy does; each must exit 0 within its grace period (plus the hand-back).
  const termAt = Date.now();
  const codes = await Promise.all(fleet.ready().map((slot) => fleet.signal(slot, 'SIGTERM')));
  const shutdownMs = Date.now() - termAt;
  // Nothing is left active (locked by a dead process) for the stalled-job check to find later.
  const leftActive = await Promise.all(STAGES.map((s) => conn.queues[s].getActiveCount()));
  const handedBack = (await Promise.all(running.map((id) => conn.queues.generate.getJobState(id)))).filter((state) => state !== 'completed').length;

  const restartAt = Date.now();
  await Promise.all(Array.from({ length: WORKERS }, (_, slot) => fleet.replace(slot)));
  const readyAt = Date.now();
  // The handed-back generations run again at once: were they still locked, they would wait out the lock first.
  while (Date.now() - readyAt < 30_000) {
    const states = await Promise.all(running.map((id) => conn.queues.generate.getJobState(id)));
    if (states.every((state) => state === 'completed')) break;
    await sleep(20);
  }
  const handedBackDoneMs = Date.now() - readyAt;
  await settle(conn, batch.id, 60_000);
  const counts = await countBatch(conn, batch.id);
  report('SIGTERM every worker mid-batch, then new workers', counts, {
    'generations running at SIGTERM': running.length,
    'handed back unfinished': handedBack,
    'exit codes': codes.join('/'),
    'shutdown': `${shutdownMs} ms`,
    'jobs left active': leftActive.reduce((a, b) => a + b, 0),
    'jobs stalled': stalled.jobs.length,
    'new workers started in': `${readyAt - restartAt} ms`,
    'handed-back generations done': `${handedBackDoneMs} ms after the new workers were ready`,
    'batch time': `${Date.now() - started} ms`,
  });
  expectSound(counts);
  expect(counts.completed).toBe(REQUIREMENTS);
  expect(codes).toEqual(Array(WORKERS).fill(0));
  expect(handedBack).toBeGreaterThan(0);
  expect(leftActive).toEqual(STAGES.map(() => 0));
  expect(stalled.jobs).toEqual([]);
  expect(handedBackDoneMs).toBeLessThan(LOCK_MS);
}, 180_000);
