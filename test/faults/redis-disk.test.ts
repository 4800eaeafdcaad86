// Redis that cannot save to disk mid-batch (a full or read-only disk): with stop-writes-on-bgsave-error,
// the default, it refuses every write with MISCONF until a save succeeds again. As with a full Redis,
// the workers must neither fail requirements for it nor spend their attempts: they pause, say so once
// with what to do, and finish the batch by themselves once Redis takes writes again.
import { mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sleep } from '../helpers/queue-workers.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { countBatch, expectSound, peekBatch, report, settle } from './counts.js';
import { syntheticInputs, type Fleet } from './fleet.js';
import { startRig, type FaultRig } from './rig.js';

const REQUIREMENTS = 300;
const REFUSING_MS = 6000;

let redis: TestRedis;
let rig: FaultRig;
let conn: FactoryConnection;
let fleet: Fleet;

beforeAll(async () => {
  // Protected configs on, so the case can point Redis's data dir at a folder that is gone.
  redis = await startRedis({ appendonly: false, args: ['--enable-protected-configs', 'yes'] });
  // Short backoff: without the pause, the refused writes would use up every attempt within the case.
  rig = await startRig(redis, { AF_GENERATE_DELAY_MS: '20', AF_BACKOFF_MS: '50' });
  ({ fleet, conn } = rig);
  await fleet.grow(2);
}, 60_000);

afterAll(() => rig?.stop());

/** Runs BGSAVE and waits for its outcome: 'ok' or 'err'. */
async function bgsave(): Promise<string> {
  await conn.redis.bgsave();
  for (;;) {
    const info = await conn.redis.info('persistence');
    if (/^rdb_bgsave_in_progress:0/m.test(info)) return /^rdb_last_bgsave_status:(\w+)/m.exec(info)?.[1] ?? '';
    await sleep(20);
  }
}

it('Redis unable to save mid-batch (MISCONF): nothing fails for it, no attempt is spent, the workers pause and say what to do, and go on once it saves', async () => {
  const batch = await submitBatch(conn, syntheticInputs(REQUIREMENTS, 808), { useCache: false });
  while (((await peekBatch(conn, batch.id))?.counts.completed ?? 0) < 30) await sleep(20);
  // A save point, and a data dir that is gone: the save fails, and Redis refuses every write from then on.
  const gone = join(redis.dir, 'gone');
  await mkdir(gone);
  await conn.redis.config('SET', 'dir', gone);
  await rmdir(gone);
  await conn.redis.config('SET', 'save', '3600 1');
  expect(await bgsave()).toBe('err');
  await expect(conn.redis.set('probe', '1')).rejects.toThrow(/^MISCONF /);
  await sleep(REFUSING_MS);
  const whileRefusing = await peekBatch(conn, batch.id);
  await conn.redis.config('SET', 'dir', redis.dir);
  expect(await bgsave()).toBe('ok');

  await settle(conn, batch.id, 90_000);
  const counts = await countBatch(conn, batch.id);
  report('Redis unable to save mid-batch', counts, { 'failed while refusing': whileRefusing?.counts.failed ?? -1, 'Redis refusing writes': `${REFUSING_MS} ms` });
  expect(whileRefusing?.counts.failed).toBe(0);
  expectSound(counts);
  expect(counts.completed).toBe(REQUIREMENTS);
  const logs = fleet.started.flatMap((w) => w.lines);
  expect(logs.filter((l) => l.includes('stage failed; it will be retried'))).toEqual([]);
  const paused = logs.filter((l) => l.includes('workers paused'));
  expect(paused.length).toBeGreaterThan(0);
  expect(paused.length).toBeLessThanOrEqual(fleet.started.length);
  expect(paused[0]).toContain("Redis refuses every write because it cannot save to disk (Redis is configured to save RDB snapshots, but it's currently unable to persist to disk)");
  expect(paused[0]).toContain('its log says why (often a full or read-only disk)');
  expect(logs.filter((l) => l.includes('Redis takes writes again; workers resumed')).length).toBe(paused.length);
}, 180_000);
