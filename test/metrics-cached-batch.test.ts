import { buildReport } from '@agent-factory/core';
import { cacheStats, connect, createLogger, metricsReport, submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticRequirements } from '../bench/synthetic.js';
import { formatReport } from '../apps/cli/src/report-view.js';
import { spawnWorker, storedResults, waitForBatch, type WorkerProcess } from './helpers/queue-workers.js';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

/**
 * A batch generated offline, then the same requirements again, answered entirely by the
 * finished-agents cache (as a re-run of a large batch is): what the report and `cache stats` say.
 */
const N = 8;

let redis: TestRedis;
let conn: FactoryConnection;
let worker: WorkerProcess;
let generatedTokens: number;
let cachedBatch: string;

beforeAll(async () => {
  redis = await startRedis({ appendonly: false });
  const prefix = testPrefix();
  conn = await connect({ redisUrl: redis.url, prefix }, { logger: createLogger({}, { level: 'error' }) });
  worker = await spawnWorker({ REDIS_URL: redis.url, AF_PREFIX: prefix, AF_RESEARCH: 'local' });
  const items = syntheticRequirements(N, 31).map((requirement, i) => ({ id: `r${i}`, requirement }));
  const first = await submitBatch(conn, items);
  await waitForBatch(conn, first.id, 30_000);
  generatedTokens = [...(await storedResults(conn, first.id)).values()].reduce((s, r) => s + (r.u ?? [0]).reduce((a, b) => a + b, 0), 0);
  const again = await submitBatch(conn, items);
  cachedBatch = again.id;
  await waitForBatch(conn, cachedBatch, 30_000);
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await conn?.close();
  await redis?.stop();
});

describe('a batch the finished-agents cache answered entirely', () => {
  it('reports the tokens the cache avoided: what those agents took when they were generated', async () => {
    expect(generatedTokens).toBeGreaterThan(0);
    const report = (await metricsReport(conn, { batch: cachedBatch }))!;
    expect(report.totals.completed).toBe(N);
    const row = report.optimizations.find((o) => o.technique === 'finished-agent cache')!;
    expect(row).toMatchObject({ after: 0, avoided: generatedTokens, before: generatedTokens });
    expect(row.note).toBe(`${N} agents reused: ${N} at the tokens each took when generated`);
  });

  it('counts the agents generated and stored as computed in `cache stats`', async () => {
    await worker.stop(); // flushes its counters
    const { agents } = (await cacheStats(conn.redis, conn.config.prefix)).namespaces;
    // The first batch missed and generated each agent; the second found them all.
    expect(agents).toMatchObject({ miss: N, computed: N });
    expect(agents.memory + agents.redis).toBe(N);
  });
});

describe('a cached answer recorded without its tokens (by an older worker)', () => {
  it('says "unknown" when nothing was generated to estimate from, never 0', () => {
    const window = { from: 0, to: 60_000 };
    const report = buildReport(new Map([['n', 20], ['o|completed', 20], ['t|standard|n', 20], ['t|standard|done', 20], ['cache|agents', 20]]), { window });
    const row = report.optimizations.find((o) => o.technique === 'finished-agent cache')!;
    expect(row).toMatchObject({ before: null, after: 0, avoided: null });
    expect(formatReport(report)).toMatch(/finished-agent cache\s+unknown\s+0\s+unknown\s+tokens\s+20 agents reused: 20 unknown/);
  });
});
