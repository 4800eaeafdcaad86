import { offlineProvider, type GenerationRequest, type LlmProvider } from '@agent-factory/core';
import {
  batchKeys,
  batchResults,
  CANCEL_SWEEP_MS,
  cancelBatch,
  metricsReport,
  connect,
  createLogger,
  PermanentError,
  startWorkers,
  stageJobId,
  submitBatch,
  type BatchItemInput,
  type FactoryConnection,
  type ItemResult,
} from '@agent-factory/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticRequirements } from '../bench/synthetic.js';
import { runCli } from './helpers/cli.js';
import { inputIds, leftoverItems, sleep, spawnWorker, storedResults, waitForBatch, type WorkerProcess } from './helpers/queue-workers.js';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

const quiet = createLogger({}, { level: 'error' });

function inputsOf(count: number, seed: number): BatchItemInput[] {
  return syntheticRequirements(count, seed).map((requirement, i) => ({ id: `r${i}`, requirement }));
}

/** Submitted, completed, failed (with reasons), duplicate and lost counts of a finished batch. */
async function tally(conn: FactoryConnection, batchId: string) {
  const stored = await storedResults(conn, batchId);
  const ids = await inputIds(conn, batchId);
  const distinct = new Set(ids.map(([, k]) => k));
  const results: ItemResult[] = [];
  for await (const r of batchResults(conn, batchId)) results.push(r);
  const completed = [...stored.values()].filter((r) => r.s === 'completed').length;
  const failed = [...stored.values()].filter((r) => r.s === 'failed');
  return {
    submitted: distinct.size,
    completed,
    failedWithReason: failed.filter((r) => (r.e ?? '').length > 0).length,
    failed: failed.length,
    // Records beyond one per requirement, and ids whose requirement has no record.
    duplicates: stored.size - [...stored.keys()].filter((k) => distinct.has(k)).length + (results.length - ids.length),
    lost: ids.filter(([, k]) => !stored.has(k)).length,
  };
}

describe('faults', () => {
  let redis: TestRedis;
  const workers: WorkerProcess[] = [];
  const conns: FactoryConnection[] = [];
  // Short locks so a killed worker's jobs run again within seconds; a slow provider keeps jobs in flight.
  const workerEnv = (prefix: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    REDIS_URL: redis.url,
    AF_PREFIX: prefix,
    AF_LOCK_MS: '2500',
    AF_BACKOFF_MS: '100',
    AF_GENERATE_DELAY_MS: '40',
    AF_CONCURRENCY: 'generate=4',
    AF_RESEARCH: 'none',
    ...extra,
  });
  const open = async (prefix: string, config: { attempts?: number; backoffMs?: number } = {}): Promise<FactoryConnection> => {
    const conn = await connect({ redisUrl: redis.url, prefix, ...config }, { logger: quiet });
    conns.push(conn);
    return conn;
  };
  const worker = async (env: NodeJS.ProcessEnv): Promise<WorkerProcess> => {
    const w = await spawnWorker(env);
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await Promise.all(conns.map((c) => c.close()));
    await redis?.stop();
  });

  it('a worker SIGKILLed mid-batch loses and duplicates nothing', async () => {
    const prefix = testPrefix();
    const [a, b] = await Promise.all([worker(workerEnv(prefix)), worker(workerEnv(prefix))]);
    const conn = await open(prefix);
    const batch = await submitBatch(conn, inputsOf(200, 1));
    await waitForBatch(conn, batch.id, 20_000, (s) => s.counts.completed >= 40);
    a.child.kill('SIGKILL');
    expect(await a.exited).toBeNull();
    await worker(workerEnv(prefix)); // the replacement
    const done = await waitForBatch(conn, batch.id, 40_000);
    const counts = await tally(conn, batch.id);
    console.log('SIGKILL mid-batch:', counts);
    expect(done.state).toBe('completed');
    expect(counts).toMatchObject({ submitted: 200, completed: 200, failed: 0, duplicates: 0, lost: 0 });
    expect(await leftoverItems(conn)).toBe(0);
    expect(b.child.exitCode).toBeNull();
  }, 60_000);

  it('Redis restarted mid-batch (AOF): nothing lost, workers resume by themselves', async () => {
    const prefix = testPrefix();
    const pair = await Promise.all([worker(workerEnv(prefix)), worker(workerEnv(prefix))]);
    const conn = await open(prefix);
    const batch = await submitBatch(conn, inputsOf(200, 2));
    await waitForBatch(conn, batch.id, 20_000, (s) => s.counts.completed >= 40);
    await redis.restart({ downMs: 700 });
    const done = await waitForBatch(conn, batch.id, 45_000);
    const counts = await tally(conn, batch.id);
    console.log('Redis restart mid-batch:', counts);
    expect(done.state).toBe('completed');
    expect(counts).toMatchObject({ submitted: 200, completed: 200, failed: 0, duplicates: 0, lost: 0 });
    for (const w of pair) expect(w.child.exitCode).toBeNull();
  }, 60_000);

  /** A batch on a worker process whose generations take a minute, once four of them run (its generate concurrency). */
  const slowBatch = async (count: number, seed: number) => {
    const prefix = testPrefix();
    const slow = await worker(workerEnv(prefix, { AF_GENERATE_DELAY_MS: '60000' }));
    const conn = await open(prefix);
    const batch = await submitBatch(conn, inputsOf(count, seed));
    const deadline = Date.now() + 10_000;
    while ((await conn.queues.generate.getActiveCount()) < 4 && Date.now() < deadline) await sleep(25);
    expect(await conn.queues.generate.getActiveCount()).toBe(4);
    return { prefix, slow, conn, batch };
  };
  /** Milliseconds from now until no generate job runs (at most 10 s). */
  const untilGenerateIdle = async (conn: FactoryConnection): Promise<number> => {
    const started = Date.now();
    while ((await conn.queues.generate.getActiveCount()) > 0 && Date.now() - started < 10_000) await sleep(25);
    return Date.now() - started;
  };
  /** The running jobs the worker process logged it aborted: each once, by the message or the sweep (read through a pipe, so given a moment to arrive). */
  const abortedBy = async (slow: WorkerProcess, expected: number): Promise<number> => {
    const aborted = (): number => slow.lines.filter((l) => l.includes('aborted running jobs of a cancelled batch')).reduce((n, l) => n + (JSON.parse(l) as { aborted: number }).aborted, 0);
    for (let i = 0; i < 40 && aborted() < expected; i++) await sleep(50);
    return aborted();
  };

  it('cancel aborts jobs running on another process and stops the batch', async () => {
    const { slow, conn, batch } = await slowBatch(12, 3);
    const cancelled = await cancelBatch(conn, batch.id);
    expect(cancelled?.state).toBe('cancelled');
    const abortMs = await untilGenerateIdle(conn);
    console.log(`cancel: running generate jobs on the other process ended after ${abortMs} ms (their provider call would take 60 s)`);
    expect(abortMs).toBeLessThan(5000);
    // The four running; and any the worker had fetched as the cancel removed the queued ones, which the sweep ends too.
    expect(await abortedBy(slow, 4)).toBeGreaterThanOrEqual(4);

    const done = await waitForBatch(conn, batch.id, 5000);
    expect(done).toMatchObject({ state: 'cancelled', counts: { pending: 0, completed: 0, failed: 0, cancelled: 12 } });
    await sleep(300);
    const after = await waitForBatch(conn, batch.id, 1000);
    expect(after.counts.completed).toBe(0);
    for (const stage of ['analyze', 'research', 'generate', 'validate'] as const) {
      const counts = await conn.queues[stage].getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      expect(Object.values(counts).every((n) => n === 0), `${stage}: ${JSON.stringify(counts)}`).toBe(true);
    }
    for await (const r of batchResults(conn, batch.id)) expect(r).toMatchObject({ state: 'cancelled', error: 'the batch was cancelled' });
    // `report` counts them, each once, whichever process ended it (the cancel, or the worker aborting it).
    const report = await metricsReport(conn, { batch: batch.id });
    expect(report?.totals).toMatchObject({ finished: 12, completed: 0, failed: 0, cancelled: 12 });
    // Stopped, not judged: in no tier (no "unknown" row at 0% success).
    expect(report?.tiers).toEqual([]);
    // Graceful shutdown: SIGTERM ends the worker with exit code 0.
    expect(await slow.stop()).toBe(0);
  }, 30_000);

  it('a job queued after the cancel (a stage that finished just then) ends without running, its stage reading nothing from Redis', async () => {
    const { slow, conn, batch } = await slowBatch(8, 11);
    const [queued] = await conn.queues.generate.getJobs(['prioritized', 'waiting']);
    expect(queued).toBeDefined();
    await cancelBatch(conn, batch.id);
    expect(await abortedBy(slow, 4)).toBeGreaterThanOrEqual(4);
    // The same job again, as the research stage would add it had it finished just after the cancel's sweep of the queues.
    const late = await conn.queues.generate.add(queued!.name, queued!.data, { jobId: `${queued!.id}-late`, priority: queued!.opts.priority ?? 1 });
    const deadline = Date.now() + 5000;
    while (!(await late.isCompleted()) && Date.now() < deadline) await sleep(25);
    // Its generation would take a minute, and the sweep of running jobs' batches (every 2 s) would abort it: it never started.
    expect(await late.isCompleted()).toBe(true);
    const ran = await conn.queues.generate.getJob(late.id!);
    expect(ran!.finishedOn! - ran!.processedOn!).toBeLessThan(CANCEL_SWEEP_MS / 2);
    expect((await waitForBatch(conn, batch.id, 1000)).counts).toMatchObject({ completed: 0, cancelled: 8 });
    expect(await slow.stop()).toBe(0);
  }, 30_000);

  it('a worker that missed the cancel message still aborts the batch\'s running jobs within seconds (it reads their batches\' state)', async () => {
    const { prefix, slow, conn, batch } = await slowBatch(4, 7);
    // What cancel does to the batch, without its message: lost, as while a subscriber reconnects.
    await conn.redis.hset(batchKeys(prefix, batch.id).batch, 'state', 'cancelled');
    expect(await untilGenerateIdle(conn)).toBeLessThan(CANCEL_SWEEP_MS + 2000);
    expect(await abortedBy(slow, 4)).toBe(4);
    const done = await waitForBatch(conn, batch.id, 5000, (s) => s.counts.cancelled === 4);
    expect(done.counts).toMatchObject({ pending: 0, completed: 0, cancelled: 4 });
    expect(await slow.stop()).toBe(0);
  }, 30_000);

  it('SIGTERM past the grace period hands running jobs back, unspent, and exits 0', async () => {
    const prefix = testPrefix();
    const slow = await worker(workerEnv(prefix, { AF_GENERATE_DELAY_MS: '60000', AF_GRACE_MS: '300' }));
    const conn = await open(prefix);
    const batch = await submitBatch(conn, inputsOf(6, 5));
    const deadline = Date.now() + 10_000;
    while ((await conn.queues.generate.getActiveCount()) < 4 && Date.now() < deadline) await sleep(25);
    const started = Date.now();
    expect(await slow.stop()).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    // The interrupted jobs wait again with no attempt spent; a fresh worker finishes the batch.
    const generate = await conn.queues.generate.getJobs(['waiting', 'prioritized', 'delayed']);
    expect(generate.length).toBe(6);
    expect(generate.every((j) => j.attemptsMade === 0)).toBe(true);
    await worker(workerEnv(prefix, { AF_GENERATE_DELAY_MS: '0' }));
    const done = await waitForBatch(conn, batch.id, 15_000);
    expect(done.counts).toEqual({ pending: 0, completed: 6, failed: 0, cancelled: 0 });
  }, 30_000);

  it('SIGTERM while Redis is down still exits 0, soon after the grace period, saying why it could not close cleanly', async () => {
    const own = await startRedis({ appendonly: false });
    const w = await spawnWorker({ REDIS_URL: own.url, AF_PREFIX: testPrefix(), AF_GRACE_MS: '500', AF_RESEARCH: 'none' });
    await own.stop();
    await sleep(300);
    const started = Date.now();
    expect(await w.stop()).toBe(0);
    // Grace 0.5 s + the 5 s margin; it waited for Redis to come back (minutes) before.
    expect(Date.now() - started).toBeLessThan(9000);
    expect(w.lines.some((l) => l.includes('could not close cleanly (is Redis answering?)'))).toBe(true);
  }, 30_000);

  it('provider faults: permanent errors fail at once, transient ones retry, failed gates retry with guidance; the batch completes', async () => {
    const prefix = testPrefix();
    // Three attempts, 20 ms apart at first: the job options come from the connection's config.
    const conn = await open(prefix, { attempts: 3, backoffMs: 20 });
    const workerConn = await open(prefix, { attempts: 3, backoffMs: 20 });
    const calls = new Map<string, number>();
    const text = (r: GenerationRequest): string => r.analysis.requirement;
    // A provider in the shape of a real one: a 400-like rejection, a connection reset once, a service that never recovers.
    const provider: LlmProvider = {
      name: 'test-provider',
      async generate(request, options) {
        const key = text(request);
        const n = (calls.get(key) ?? 0) + 1;
        calls.set(key, n);
        if (key.includes('POISON')) throw new PermanentError('the provider rejected the request (400): prompt is too long');
        if (key.includes('FLAKY') && n === 1) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        if (key.includes('DOOMED')) throw new Error('overloaded (529)');
        const draft = await offlineProvider.generate(request, options);
        // A draft that fails the gates (no frontmatter): once for SLOPPY, always for HOPELESS.
        const broken = { ...draft, content: draft.content.replace(/^---[\s\S]*?---\n/, '') };
        if (key.includes('SLOPPY') && !request.guidance) return broken;
        if (key.includes('HOPELESS')) return broken;
        return draft;
      },
    };
    const pool = await startWorkers(workerConn, {
      stages: ['analyze', 'research', 'generate', 'validate'], concurrency: {}, deps: { llm: provider }, logger: quiet,
    });
    try {
      const inputs = [
        ...inputsOf(8, 4),
        { id: 'poison', requirement: 'Review Terraform plans for public S3 buckets POISON' },
        { id: 'flaky', requirement: 'Review Django migrations for locking problems FLAKY' },
        { id: 'doomed', requirement: 'Audit Kafka consumer lag alerts DOOMED' },
        { id: 'sloppy', requirement: 'Document GraphQL resolvers for the billing API SLOPPY' },
        { id: 'hopeless', requirement: 'Monitor Airflow DAG failures HOPELESS' },
      ];
      const batch = await submitBatch(conn, inputs);
      const done = await waitForBatch(conn, batch.id, 20_000);
      expect(done).toMatchObject({ state: 'completed', counts: { pending: 0, completed: 11, failed: 2, cancelled: 0 } });
      const results = new Map<string, ItemResult>();
      for await (const r of batchResults(conn, batch.id)) results.set(r.inputId, r);
      expect(results.get('poison')).toMatchObject({ state: 'failed', error: 'generate: the provider rejected the request (400): prompt is too long' });
      expect(results.get('flaky')?.state).toBe('completed');
      expect(results.get('doomed')).toMatchObject({ state: 'failed', error: 'generate: overloaded (529) (after 3 attempts)' });
      expect(calls.get(inputs[8]!.requirement)).toBe(1);
      expect(calls.get(inputs[9]!.requirement)).toBe(2);
      expect(calls.get(inputs[10]!.requirement)).toBe(3);
      // The failed jobs stay visible (Bull Board) with a readable reason; the permanent one was tried once.
      const ids = new Map(await inputIds(conn, batch.id));
      const poisonJob = await conn.queues.generate.getJob(stageJobId('generate', { b: batch.id, k: ids.get('poison')!, a: 1 }));
      expect(poisonJob?.failedReason).toBe('generate: the provider rejected the request (400): prompt is too long');
      expect(poisonJob?.attemptsMade).toBe(1);
      const doomedJob = await conn.queues.generate.getJob(stageJobId('generate', { b: batch.id, k: ids.get('doomed')!, a: 1 }));
      expect(doomedJob?.attemptsMade).toBe(3);

      // Gates failed once: generate ran again with the findings as guidance, and that draft passed.
      const stored = await storedResults(conn, batch.id);
      expect(calls.get(inputs[11]!.requirement)).toBe(2);
      expect(stored.get(ids.get('sloppy')!)).toMatchObject({ s: 'completed', p: true, a: 2, m: 'test-provider/offline' });
      // Gates failed twice: the offline generator answered, and the result says so.
      expect(calls.get(inputs[12]!.requirement)).toBe(2);
      const hopeless = stored.get(ids.get('hopeless')!);
      expect(hopeless).toMatchObject({ s: 'completed', p: true, a: 3, m: 'offline/offline' });
      expect(hopeless?.d).toContain('test-provider output failed validation twice; the offline generator answered');
    } finally {
      await pool.close();
    }
  }, 30_000);

  it('refuses a Redis whose maxmemory-policy can evict keys, saying how to fix it', async () => {
    const admin = await open(testPrefix());
    await admin.redis.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      const fix = `redis-cli -h 127.0.0.1 -p ${new URL(redis.url).port} config set maxmemory-policy noeviction`;
      await expect(connect({ redisUrl: redis.url }, { logger: quiet })).rejects.toThrow(`maxmemory-policy allkeys-lru, which can evict queued jobs and results. Run \`${fix}\``);
      const cli = await runCli(['worker'], { env: { REDIS_URL: redis.url } });
      expect(cli.code).toBe(1);
      expect(cli.stderr).toContain(fix);
      const usage = await runCli(['worker', '--stages', 'analyze,deploy'], { env: { REDIS_URL: redis.url } });
      expect(usage).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown stage "deploy"') });
    } finally {
      await admin.redis.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    }
  });
});
