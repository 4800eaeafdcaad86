// Case: Redis frozen (SIGSTOP) mid-batch for longer than a job's lock lasts, then let go on: every
// running job's lock has run out, so the stalled-job check hands those jobs to any worker again while
// their first runs try to finish. Nothing may be lost or answered twice, and each worker says so in a
// few log lines, not one stack trace per running job.
import { submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { countBatch, expectSound, peekBatch, report, settle } from './counts.js';
import { syntheticInputs, type Fleet } from './fleet.js';
import { sleep } from '../helpers/queue-workers.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { startRig, type FaultRig } from './rig.js';

const REQUIREMENTS = 300;
const LOCK_MS = 1500;
const FROZEN_MS = 4000;

let redis: TestRedis;
let rig: FaultRig;
let conn: FactoryConnection;
let fleet: Fleet;

beforeAll(async () => {
  redis = await startRedis({ appendonly: false });
  // 150 ms per generation, 4 at once per worker: jobs are running in every stage when Redis freezes.
  rig = await startRig(redis, { AF_GENERATE_DELAY_MS: '150', AF_CONCURRENCY: 'generate=4', AF_LOCK_MS: String(LOCK_MS) });
  ({ fleet, conn } = rig);
  await fleet.grow(2);
}, 60_000);

afterAll(() => rig?.stop());

it('Redis frozen past the lock duration mid-batch: every requirement answered once, the workers go on, a few log lines', async () => {
  const batch = await submitBatch(conn, syntheticInputs(REQUIREMENTS, 303), { useCache: false });
  while (((await peekBatch(conn, batch.id))?.counts.completed ?? 0) < REQUIREMENTS / 4) await sleep(20);
  const before = (await peekBatch(conn, batch.id))!.counts.completed;
  await redis.pause(FROZEN_MS);

  await settle(conn, batch.id, 90_000);
  const counts = await countBatch(conn, batch.id);
  const errorLines = fleet.started.map((w) => w.lines.filter((l) => l.includes('"msg":"worker error"')));
  report('Redis frozen mid-batch (SIGSTOP)', counts, {
    'completed before the freeze': before,
    'frozen for': `${FROZEN_MS} ms (locks of ${LOCK_MS} ms)`,
    'worker error lines per worker': errorLines.map((l) => l.length).join(' / '),
  });
  expectSound(counts);
  expect(counts.completed).toBe(REQUIREMENTS);
  expect(fleet.started.every((w) => w.child.exitCode === null && w.child.signalCode === null)).toBe(true);
  // The lost locks were met (so the case tested them), each kind logged once per stage with what it means.
  const all = errorLines.flat();
  expect(all.some((l) => /(Missing lock|could not renew lock) for job/.test(l))).toBe(true);
  expect(all.filter((l) => /lock for job/.test(l)).every((l) => l.includes('"hint":"the job\'s lock ran out'))).toBe(true);
  // One line per stage and kind of error in each worker, not one per job that lost its lock.
  for (const lines of errorLines) {
    const kinds = lines.map((l) => {
      const { stage, err } = JSON.parse(l) as { stage: string; err: { message: string } };
      return `${stage}: ${err.message.replace(/\bjob [^\s.]+/g, 'job …')}`;
    });
    expect(kinds).toEqual([...new Set(kinds)]);
  }
}, 180_000);
