// Redis that cannot save to disk mid-batch (a full or read-only disk): with stop-writes-on-bgsave-error,
// the default, it refuses every write with MISCONF until a save succeeds again. As with a full Redis,
// the workers must neither fail requirements for it nor spend their attempts: they pause, say so once
// with what to do, and finish the batch by themselves once Redis takes writes again.
import { mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { listBatches, submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { startServer } from '../../apps/server/src/index.js';
import { runCli } from '../helpers/cli.js';
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

/** A save point, and a data dir that is gone: the save fails, and Redis refuses every write from then on. */
async function breakSaving(): Promise<void> {
  const gone = join(redis.dir, 'gone');
  await mkdir(gone);
  await conn.redis.config('SET', 'dir', gone);
  await rmdir(gone);
  await conn.redis.config('SET', 'save', '3600 1');
  expect(await bgsave()).toBe('err');
  await expect(conn.redis.set('probe', '1')).rejects.toThrow(/^MISCONF /);
}

/** The data dir back, and a save that succeeds: Redis takes writes again. */
async function fixSaving(): Promise<void> {
  await conn.redis.config('SET', 'dir', redis.dir);
  expect(await bgsave()).toBe('ok');
}

it('Redis unable to save mid-batch (MISCONF): nothing fails for it, no attempt is spent, the workers pause and say what to do, and go on once it saves', async () => {
  const batch = await submitBatch(conn, syntheticInputs(REQUIREMENTS, 808), { useCache: false });
  while (((await peekBatch(conn, batch.id))?.counts.completed ?? 0) < 30) await sleep(20);
  await breakSaving();
  await sleep(REFUSING_MS);
  const whileRefusing = await peekBatch(conn, batch.id);
  await fixSaving();

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

it('status, /readyz, the dashboard, the API and submit --wait say why a batch stalls while Redis cannot save, and it ends completed once Redis can', async () => {
  // One generation at a time: the batch lasts seconds, long enough to break saving in it.
  await fleet.stopAll();
  await fleet.grow(1, { AF_CONCURRENCY: 'generate=1' });
  const lines = Array.from({ length: 200 }, (_, i) => `Review the Ansible role number ${i} of the platform team for hard-coded secrets`).join('\n');
  const run = runCli(['submit', '-', '--wait', '--json', '--name', 'waits-for-disk', '--no-cache'], { input: `${lines}\n`, env: { REDIS_URL: redis.url, AF_PREFIX: rig.prefix, LOG_LEVEL: 'error' } });
  let batchId: string | undefined;
  while (batchId === undefined) {
    const found = (await listBatches(conn, 10)).find((b) => b.name === 'waits-for-disk');
    if (found && found.counts.completed >= 10) batchId = found.id;
    else await sleep(20);
  }
  await breakSaving();
  const server = await startServer(conn, { host: '127.0.0.1', port: 0 });
  try {
    // status and /readyz say why nothing moves (still ready: the server is what tells it).
    const cannotSave = /^Redis cannot save to disk: its last RDB save failed: with save points and stop-writes-on-bgsave-error \(the default\) Redis refuses every write \(MISCONF\) until a save succeeds, so batches stop; Redis's log says why/;
    const status = await runCli(['status'], { env: { REDIS_URL: redis.url, AF_PREFIX: rig.prefix, LOG_LEVEL: 'error' } });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr.replace(/^agent-factory: warning: /, '')).toMatch(cannotSave);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', warning: { code: 'redis_cannot_save', message: expect.stringMatching(cannotSave) } });
    // And /metrics, for an alert (the same check).
    const scraped = (await (await fetch(`${server.url}/metrics`)).text()).split('\n');
    expect(scraped).toContain('af_redis_cannot_save 1');
    expect(scraped).toContain('af_redis_full 0');
    const answer = await fetch(`${server.url}/api/dashboard`);
    const dashboard = (await answer.json()) as { redisFull: unknown; redisCannotSave: unknown };
    expect(answer.status, JSON.stringify(dashboard)).toBe(200);
    expect(dashboard.redisFull).toBeNull();
    expect(dashboard.redisCannotSave).toEqual({ node: `127.0.0.1:${redis.port}`, failure: 'rdb', message: expect.stringMatching(cannotSave) });
    // A submit over the API is refused with why (503), not an internal error.
    const post = await fetch(`${server.url}/api/batches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(['Review Helm charts for missing resource limits.']) });
    expect(post.status).toBe(503);
    expect(await post.json()).toEqual({ error: { code: 'redis_cannot_save', message: expect.stringMatching(/^Redis cannot save to disk, so it refuses writes \(MISCONF\) and batches stop; Redis's log says why/) } });
    // The wait looks for a reason after 10 s without progress.
    await sleep(14_000);
  } finally {
    await server.close();
    await fixSaving();
  }
  const { code, stdout, stderr } = await run;
  expect(stderr).toMatch(new RegExp(`^agent-factory: Redis cannot save to disk \\(its last RDB save failed\\) and may refuse writes: batch ${batchId} waits; \`agent-factory doctor\` says more$`, 'm'));
  expect(code, stderr).toBe(0);
  expect(JSON.parse(stdout)).toMatchObject({ id: batchId, state: 'completed', counts: { completed: 200, failed: 0 } });
}, 120_000);
