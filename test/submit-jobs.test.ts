// A submit writes each chunk's analyze jobs in its own chunk script (enqueue-chunk.ts), the way
// BullMQ's addPrioritizedJob does. What it leaves in Redis must be what BullMQ's own add leaves for
// the same jobs: job hashes, events, the prioritized set and its counter, the marker (none on a
// paused queue), so workers, Bull Board and cancel read them alike, and a BullMQ upgrade that
// changes how a job is stored fails here.
import { batchKeys, connect, createLogger, submitBatch, type FactoryConnection } from '@agent-factory/queue';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

let redis: TestRedis;
const conns: FactoryConnection[] = [];

async function open(): Promise<FactoryConnection> {
  const conn = await connect({ redisUrl: redis.url, prefix: testPrefix() }, { logger: createLogger({}, { level: 'error' }) });
  conns.push(conn);
  return conn;
}

beforeAll(async () => {
  redis = await startRedis({ appendonly: false });
});
afterAll(async () => {
  for (const conn of conns) await conn.close();
  await redis?.stop();
});

/** What the analyze queue holds, without what differs by when it was written (timestamps, stream ids). */
async function analyzeState(conn: FactoryConnection, jobIds: string[]) {
  const queue = conn.queues.analyze;
  const client = conn.redis as Redis;
  const jobs = await Promise.all(
    jobIds.map(async (id) => {
      const { timestamp, opts, ...rest } = await client.hgetall(queue.toKey(id));
      expect(Number(timestamp)).toBeGreaterThan(Date.now() - 60_000);
      return { ...rest, opts: JSON.parse(opts ?? 'null') as unknown };
    }),
  );
  const events = (await client.xrange(queue.toKey('events'), '-', '+')).map(([, fields]) => fields);
  return {
    jobs,
    events,
    prioritized: await client.zrange(queue.toKey('prioritized'), 0, -1, 'WITHSCORES'),
    id: await client.get(queue.toKey('id')),
    pc: await client.get(queue.toKey('pc')),
    marker: await client.zrange(queue.toKey('marker'), 0, -1, 'WITHSCORES'),
    maxLenEvents: await client.hget(queue.toKey('meta'), 'opts.maxLenEvents'),
  };
}

/** Submits requirements (one repeated), then adds the same jobs with BullMQ's own add on another prefix; both states. */
async function submittedAndAdded(paused: boolean) {
  const ours = await open();
  const theirs = await open();
  if (paused) for (const conn of [ours, theirs]) await conn.queues.analyze.pause();
  const requirements = ['Review Terraform plans for public S3 buckets', 'Write Playwright tests for a checkout page', 'Review Terraform plans for public S3 buckets', 'Tune slow PostgreSQL queries'];
  const batch = await submitBatch(ours, requirements.map((requirement, i) => ({ id: `r${i}`, requirement })), { priority: 3 });
  // The jobs in the order the submit ranked them, with their BullMQ priorities.
  const ranked = await ours.redis.zrange(ours.queues.analyze.toKey('prioritized'), 0, -1, 'WITHSCORES');
  const jobIds = ranked.filter((_, i) => i % 2 === 0);
  for (const jobId of jobIds) {
    const job = await ours.queues.analyze.getJob(jobId);
    await theirs.queues.analyze.add('analyze', job!.data, { jobId, priority: job!.opts.priority! });
  }
  expect(await ours.redis.hget(batchKeys(ours.config.prefix, batch.id).batch, 'total')).toBe('3');
  return { ours: await analyzeState(ours, jobIds), theirs: await analyzeState(theirs, jobIds) };
}

it('leaves the jobs, events, priorities and marker that BullMQ add leaves', async () => {
  const { ours, theirs } = await submittedAndAdded(false);
  expect(ours.jobs).toHaveLength(3);
  expect(ours).toEqual(theirs);
  expect(ours.marker).toEqual(['0', '0']);
  expect(ours.events.map((e) => e[1])).toEqual(['added', 'waiting', 'added', 'waiting', 'added', 'waiting']);
});

it('writes the chunks in input order though they reach Redis out of order (script cache flushed while another producer loads it)', async () => {
  const conn = await open();
  const other = await open();
  const inputs = Array.from({ length: 30_000 }, (_, i) => ({ id: `r${i}`, requirement: `Review Terraform plans for public S3 buckets, case ${i % 20_000}` }));
  let submitting = true;
  let flushes = 0;
  // A chunk whose EVALSHA finds no script falls back to EVAL; meanwhile the other producer's EVAL
  // loads it again, so the next chunk, sent before that fallback, runs first.
  const meddle = (async () => {
    while (submitting) {
      await other.redis.script('FLUSH');
      flushes++;
      await submitBatch(other, [{ id: 'x', requirement: 'Tune slow PostgreSQL queries' }]);
    }
  })();
  const batch = await submitBatch(conn, inputs).finally(() => (submitting = false));
  await meddle;
  expect(flushes).toBeGreaterThan(3);
  expect(batch).toMatchObject({ inputs: 30_000, total: 20_000 });
  const ids = await conn.redis.lrange(batchKeys(conn.config.prefix, batch.id).ids, 0, -1);
  expect(ids.map((entry) => entry.split('\t')[0])).toEqual(inputs.map((input) => input.id));
  expect(await conn.queues.analyze.getPrioritizedCount()).toBe(20_000);
});

it('adds no marker on a paused queue, as BullMQ add does not', async () => {
  const { ours, theirs } = await submittedAndAdded(true);
  expect(ours).toEqual(theirs);
  expect(ours.marker).toEqual([]);
});
