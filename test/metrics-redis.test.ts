// /metrics says what Redis is doing (up, full) and why a worker's workers are paused, and answers
// while Redis is away: the series that need no Redis are what an operator then has.
import { connect, createLogger, RateLimiter, submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { startServer, type RunningServer } from '@agent-factory/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limitMemory } from './helpers/maxmemory.js';
import { sleep, spawnWorker, waitForBatch, type WorkerProcess } from './helpers/queue-workers.js';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

const quiet = createLogger({}, { level: 'error' });
/** Past this a scrape has failed: Prometheus' usual scrape timeout. */
const SCRAPE_TIMEOUT_MS = 10_000;

let redis: TestRedis;
let conn: FactoryConnection;
let worker: WorkerProcess;
let server: RunningServer;
let workerUrl: string;
/** The last case stops Redis itself. */
let redisUp = true;

/** One scrape: its status and text, or a thrown TimeoutError when no answer came within the scrape timeout. */
async function scrape(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
  return { status: response.status, text: await response.text() };
}

/** Scrapes until the text holds `line` (a worker notices a full Redis at its next write), at most `ms`. */
async function scrapeUntil(url: string, line: string, ms = 15_000): Promise<string> {
  const until = Date.now() + ms;
  let text = '';
  while (Date.now() < until) {
    text = (await scrape(url)).text;
    if (text.split('\n').includes(line)) return text;
    await sleep(200);
  }
  return text;
}

beforeAll(async () => {
  redis = await startRedis({ appendonly: false });
  const prefix = testPrefix();
  conn = await connect({ redisUrl: redis.url, prefix }, { logger: quiet });
  conn.redis.on('error', () => undefined);
  // Each generation takes a while, so Redis can fill while one is in flight; a rate limit gives the worker a limiter, and so a 429 pause to say.
  worker = await spawnWorker({ REDIS_URL: redis.url, AF_PREFIX: prefix, AF_METRICS_PORT: '0', AF_GENERATE_DELAY_MS: '1500', AF_GRACE_MS: '1000', AF_RATE_LIMIT: 'rpm=10000' });
  workerUrl = (JSON.parse(worker.lines.find((l) => l.includes('"worker ready"'))!) as { metrics: string }).metrics;
  server = await startServer(conn, { host: '127.0.0.1', port: 0 });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await server?.close();
  await Promise.race([conn?.close(), sleep(2000)]);
  if (redisUp) await redis?.stop();
});

describe('/metrics and Redis', () => {
  it('with Redis up: af_redis_up 1, not full, no worker paused', async () => {
    const [own, cluster] = await Promise.all([scrape(workerUrl), scrape(`${server.url}/metrics`)]);
    for (const { status, text } of [own, cluster]) {
      expect(status).toBe(200);
      const lines = text.split('\n');
      expect(lines).toContain('af_redis_up 1');
      expect(lines).toContain('af_redis_full 0');
      expect(lines).toContain('af_redis_cannot_save 0');
      expect(lines).toContain('af_queue_jobs{queue="analyze",state="waiting"} 0');
    }
    expect(own.text.split('\n')).toContain('af_worker_paused{reason="redis_full"} 0');
    expect(own.text.split('\n')).toContain('af_worker_paused{reason="rate_limit"} 0');
  });

  it('a 429 pause: af_worker_paused{reason="rate_limit"} 1 on a worker that generates, while it lasts', async () => {
    // What a worker does when the API answers 429: every worker's generation waits out the pause.
    await new RateLimiter({ redis: conn.redis, prefix: conn.config.prefix }).pause(3000);
    expect((await scrape(workerUrl)).text.split('\n')).toContain('af_worker_paused{reason="rate_limit"} 1');
    expect((await scrapeUntil(workerUrl, 'af_worker_paused{reason="rate_limit"} 0', 6000)).split('\n')).toContain('af_worker_paused{reason="rate_limit"} 0');
  });

  it('Redis full: af_redis_full 1 on both, and af_worker_paused{reason="redis_full"} 1 on the worker until there is room', async () => {
    const batch = await submitBatch(conn, [{ id: 'a', requirement: 'Review pull requests for common mistakes' }, { id: 'b', requirement: 'Audit Terraform modules for open security groups' }], { useCache: false });
    while ((await conn.queues.generate.getJobCounts('active')).active === 0) await sleep(20);
    // Below what Redis holds: every write is refused, the generation's result included.
    await limitMemory(conn.redis, -512 * 1024);
    try {
      await expect(conn.redis.set(`${conn.config.prefix}:probe`, 'x')).rejects.toThrow(/^OOM /);
      expect((await scrape(`${server.url}/metrics`)).text.split('\n')).toContain('af_redis_full 1');
      const own = await scrapeUntil(workerUrl, 'af_worker_paused{reason="redis_full"} 1');
      expect(own.split('\n')).toContain('af_worker_paused{reason="redis_full"} 1');
      expect(own.split('\n')).toContain('af_redis_full 1');
      expect(own.split('\n')).toContain('af_redis_up 1');
    } finally {
      await conn.redis.config('SET', 'maxmemory', '0');
    }
    expect((await scrapeUntil(workerUrl, 'af_worker_paused{reason="redis_full"} 0')).split('\n')).toContain('af_worker_paused{reason="redis_full"} 0');
    expect((await waitForBatch(conn, batch.id, 30_000)).counts.completed).toBe(2);
    expect((await scrape(`${server.url}/metrics`)).text.split('\n')).toContain('af_redis_full 0');
  }, 60_000);

  it('Redis down: the worker and the server still answer 200 with af_redis_up 0 and what needs no Redis', async () => {
    redisUp = false;
    await redis.stop();
    const [own, cluster] = await Promise.all([scrape(workerUrl), scrape(`${server.url}/metrics`)]);
    for (const { status, text } of [own, cluster]) {
      expect(status).toBe(200);
      expect(text.split('\n')).toContain('af_redis_up 0');
      expect(text).toMatch(/^af_process_process_cpu_seconds_total \d/m);
      // Read from Redis: left out, not said as zeros.
      expect(text).not.toMatch(/^af_queue_jobs\{/m);
    }
    // The worker's own counters (the batch above) and its pauses need no Redis.
    expect(own.text).toMatch(/^af_requirements_total\{outcome="completed",[^}]*\} 2$/m);
    expect(own.text.split('\n')).toContain('af_worker_paused{reason="redis_full"} 0');
    // Read from Redis too.
    expect(own.text).not.toContain('af_worker_paused{reason="rate_limit"}');
    expect(cluster.text).not.toMatch(/^af_cluster_window\{/m);
  }, 30_000);
});
