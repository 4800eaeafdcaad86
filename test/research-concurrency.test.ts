// AF_RESEARCH_CONCURRENCY with a real Redis and the project's docs server over real MCP (Streamable
// HTTP), slowed down so calls overlap: at most N docs calls in flight per worker process, counted
// where calls leave for the source; cache hits and waiters on another worker's call take no slot.
import { planRequirement, researchTargets, researchTopic } from '@agent-factory/core';
import { connect, createLogger, submitBatch } from '@agent-factory/queue';
import { createResearchSetup, LocalDocsSource } from '@agent-factory/research';
import { startDocsHttpServer, type RunningDocsHttpServer } from '@agent-factory/research/serve';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { researchSetupOptions } from '../apps/worker/src/research-setup.js';
import { workerSettings } from '../apps/worker/src/worker-settings.js';
import { lockKey, staleKey, valueKey } from '../packages/queue/src/cache-names.js';
import { CachedDocsSource, researchCacheKey, SharedCache } from '../packages/queue/src/cache.js';
import { spawnWorker, waitForBatch } from './helpers/queue-workers.js';
import { redisPerFile } from './helpers/redis-file.js';
import { testPrefix } from './helpers/redis.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The bundled docs, each answer `delayMs` late, counting the calls in flight and the most at once. */
class SlowDocs extends LocalDocsSource {
  delayMs = 100;
  inFlight = 0;
  most = 0;

  override async queryDocs(libraryId: string, query: string): Promise<string> {
    this.most = Math.max(this.most, ++this.inFlight);
    try {
      await sleep(this.delayMs);
      return await super.queryDocs(libraryId, query);
    } finally {
      this.inFlight--;
    }
  }
}

const LIBRARY = '/facebook/react';
const LIMIT = 4;
/** `n` distinct topics, so `n` distinct (library, topic) pairs. */
const topics = (n: number, tag: string): string[] => Array.from({ length: n }, (_, i) => `${tag} topic ${i}`);

const db = redisPerFile();

async function docsServer(): Promise<{ slow: SlowDocs; server: RunningDocsHttpServer; queryCalls: () => number }> {
  const slow = new SlowDocs();
  const server = await startDocsHttpServer({ source: slow });
  db.defer(() => server.close());
  return { slow, server, queryCalls: () => server.counter.snapshot().byTool['query-docs'] ?? 0 };
}

/** One worker's research as runWorker wires it from its environment: Context7 at the server, through the shared cache. */
function worker(server: RunningDocsHttpServer, prefix: string, concurrency: number): CachedDocsSource {
  const settings = workerSettings({ AF_RESEARCH: 'context7', CONTEXT7_URL: server.url, CONTEXT7_API_KEY: 'test', AF_RESEARCH_CONCURRENCY: String(concurrency) });
  const { docs } = createResearchSetup(researchSetupOptions(settings));
  if (!docs) throw new Error('no docs source');
  const own = new Redis(db.redis.url);
  const cache = new SharedCache({ redis: own, prefix });
  db.defer(() => own.quit(), () => cache.close(), () => docs.close?.() ?? Promise.resolve());
  return new CachedDocsSource(docs, cache);
}

describe('docs calls per worker (AF_RESEARCH_CONCURRENCY)', () => {
  it(`30 distinct pairs asked at once: at most ${LIMIT} calls in flight at the server, one call per pair`, async () => {
    const { slow, server, queryCalls } = await docsServer();
    const source = worker(server, testPrefix(), LIMIT);
    const answers = await Promise.all(topics(30, 'bound').map((topic) => source.queryDocsLookup(LIBRARY, topic)));
    expect(answers.map((a) => a.calls)).toEqual(Array.from({ length: 30 }, () => 1));
    expect(answers.every((a) => a.value.includes('### '))).toBe(true);
    expect(queryCalls()).toBe(30);
    // The bound held, and was reached: the calls did overlap.
    expect(slow.most).toBe(LIMIT);
  });

  it('cache hits and waiters on another worker’s call take no slot', async () => {
    const { slow, server, queryCalls } = await docsServer();
    const prefix = testPrefix();
    const a = worker(server, prefix, LIMIT);
    // A second worker with a single slot: were it to call for the pairs it waits on, they would go one at a time.
    const b = worker(server, prefix, 1);
    await a.queryDocs(LIBRARY, 'cached topic');
    slow.delayMs = 200;
    const busy = topics(30, 'busy');
    const running = Promise.all(busy.map((topic) => a.queryDocsLookup(LIBRARY, topic)));
    // Every pair's single-flight lock is A's before B asks, and all of A's slots are taken.
    await expect.poll(() => db.client.exists(...busy.map((topic) => lockKey(prefix, 'research', researchCacheKey(LIBRARY, topic)))), { timeout: 5000, interval: 10 }).toBe(30);
    await expect.poll(() => slow.inFlight, { timeout: 5000, interval: 10 }).toBe(LIMIT);

    // A hit, on either worker (B's from Redis), answers ahead of the 26 calls queued for A's slots.
    const hits = Promise.all([a.queryDocsLookup(LIBRARY, 'cached topic'), b.queryDocsLookup(LIBRARY, 'cached topic')]);
    expect(await Promise.race([hits.then(() => 'hits'), running.then(() => 'calls')])).toBe('hits');
    expect((await hits).map((h) => h.calls)).toEqual([0, 0]);

    // B waits for A's values: none of its look-ups calls the source.
    const waited = await Promise.all(busy.map((topic) => b.queryDocsLookup(LIBRARY, topic)));
    expect(waited.map((w) => w.calls)).toEqual(busy.map(() => 0));
    expect((await running).map((r) => r.calls)).toEqual(busy.map(() => 1));
    expect(queryCalls()).toBe(31);
    expect(slow.most).toBe(LIMIT);
  });
});

describe('a worker process with AF_RESEARCH_CONCURRENCY=3, AF_RESEARCH_TTL=1h and AF_RESEARCH_STALE=2h', () => {
  const LIBS = ['React', 'Next.js', 'Vue', 'Angular', 'Svelte', 'Django', 'Flask', 'FastAPI', 'NestJS', 'Spring Boot', 'PostgreSQL', 'MongoDB', 'Redis', 'Kafka', 'Kubernetes', 'Docker', 'Terraform', 'GraphQL', 'Playwright', 'pytest'];
  const TASKS = ['Review the {lib} code of team {n} for common mistakes', 'Write tests for the {lib} service of team {n}'];
  const requirements = LIBS.flatMap((lib, i) => TASKS.map((task) => task.replace('{lib}', lib).replace('{n}', String(i))));

  it('keeps at most 3 docs calls in flight while 20 research jobs run, one call per pair, cached for its TTL and stale window', async () => {
    const { slow, server, queryCalls } = await docsServer();
    const pairs = new Map<string, [string, string]>();
    for (const requirement of requirements) {
      const { analysis } = planRequirement({ requirement });
      for (const t of researchTargets(analysis)) pairs.set(JSON.stringify([t.libraryId, researchTopic(analysis)]), [t.libraryId, researchTopic(analysis)]);
    }
    expect(pairs.size).toBeGreaterThanOrEqual(30);
    const prefix = testPrefix();
    const env = {
      REDIS_URL: db.redis.url, AF_PREFIX: prefix, AF_PROVIDER: 'offline', AF_RESEARCH: 'context7', CONTEXT7_URL: server.url, CONTEXT7_API_KEY: 'test',
      AF_CONCURRENCY: 'research=20', AF_RESEARCH_CONCURRENCY: '3', AF_RESEARCH_TTL: '1h', AF_RESEARCH_STALE: '2h',
    };
    const proc = await spawnWorker(env);
    db.defer(() => proc.stop());
    const conn = await connect({ redisUrl: db.redis.url, prefix }, { logger: createLogger({}, { level: 'error' }) });
    db.defer(() => conn.close());

    const batch = await submitBatch(conn, requirements.map((requirement, i) => ({ id: `c${i}`, requirement })));
    const done = await waitForBatch(conn, batch.id, 40_000);
    expect(done).toMatchObject({ state: 'completed', counts: { completed: requirements.length, failed: 0 } });
    expect(queryCalls()).toBe(pairs.size);
    expect(slow.most).toBeLessThanOrEqual(3);
    expect(slow.most).toBeGreaterThan(1);

    const [library, topic] = [...pairs.values()][0]!;
    const key = researchCacheKey(library, topic);
    const [ttl, stale] = [await db.client.ttl(valueKey(prefix, 'research', key)), await db.client.ttl(staleKey(prefix, 'research', key))];
    expect(ttl).toBeGreaterThan(3600 - 60);
    expect(ttl).toBeLessThanOrEqual(3600);
    expect(stale - ttl).toBeGreaterThanOrEqual(7200 - 1);
    expect(stale - ttl).toBeLessThanOrEqual(7200 + 1);
  }, 60_000);
});
