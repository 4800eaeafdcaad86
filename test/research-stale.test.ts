// Stale-while-error with a real Redis and a real MCP docs server (Streamable HTTP) that fails on
// demand: rate limited, too slow, or gone. Entries live 4 s fresh and 3 s more as stale copies, and a
// failing entry asks again after 800 ms: the worker's own settings (AF_RESEARCH_TTL, _STALE, _RETRY).
import { planRequirement, research, researchTopic, runPipeline, type Research } from '@agent-factory/core';
import { context7Http, LocalDocsSource, type McpDocsSource } from '@agent-factory/research';
import { startDocsHttpServer, type RunningDocsHttpServer } from '@agent-factory/research/serve';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { workerSettings } from '../apps/worker/src/worker-settings.js';
import { failingKey, staleKey, valueKey } from '../packages/queue/src/cache-names.js';
import { CachedDocsSource, cacheStats, clearCache, researchCacheKey, SharedCache } from '../packages/queue/src/cache.js';
import { researchCacheOptions } from '../packages/queue/src/research-settings.js';
import { redisPerFile } from './helpers/redis-file.js';
import { testPrefix } from './helpers/redis.js';

type Mode = 'ok' | 'rate-limited' | 'slow';

/** The bundled docs, except when told to fail: Context7's rate-limit text, or an answer slower than the client waits. */
class FlakyDocs extends LocalDocsSource {
  mode: Mode = 'ok';

  override async queryDocs(libraryId: string, query: string): Promise<string> {
    if (this.mode === 'rate-limited') return 'Rate limited or quota exceeded. Upgrade your plan at https://context7.com/plans for higher limits.';
    if (this.mode === 'slow') await sleep(1500);
    return super.queryDocs(libraryId, query);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const FRESH = 4;
const STALE = 3;
const RETRY_MS = 800;
/** The cache options a worker reads from its environment. */
const cacheOptions = researchCacheOptions(workerSettings({ AF_RESEARCH_TTL: `${FRESH}s`, AF_RESEARCH_STALE: String(STALE), AF_RESEARCH_RETRY: `${RETRY_MS}ms` }).researchSettings);

const db = redisPerFile();

/** A docs server, and `workers` research sources over it that share one cache prefix, as worker processes would. */
async function setup(workers = 1): Promise<{ flaky: FlakyDocs; server: RunningDocsHttpServer; sources: CachedDocsSource[]; caches: SharedCache[]; prefix: string }> {
  const flaky = new FlakyDocs();
  const server = await startDocsHttpServer({ source: flaky });
  db.defer(() => server.close());
  const prefix = testPrefix();
  const caches = Array.from({ length: workers }, () => {
    const own = new Redis(db.redis.url);
    const cache = new SharedCache({ redis: own, prefix, ...cacheOptions });
    db.defer(() => own.quit(), () => cache.close());
    return cache;
  });
  const sources = caches.map((cache) => {
    const mcp: McpDocsSource = context7Http({ url: server.url, apiKey: 'test', timeoutMs: 500, reconnectDelayMs: 50 });
    db.defer(() => mcp.close());
    return new CachedDocsSource(mcp, cache);
  });
  return { flaky, server, sources, caches, prefix };
}

/** Research for a requirement that reads exactly one library (React), on one topic. */
function researchOf(requirement: string, source: CachedDocsSource): Promise<Research> {
  const { analysis } = planRequirement({ requirement });
  expect(analysis.frameworks.map((f) => f.libraryId)).toEqual(['/facebook/react']);
  return research(analysis, source);
}

/** The cache key of the one (library, topic) pair a requirement reads. */
const pairKey = (requirement: string): string => researchCacheKey('/facebook/react', researchTopic(planRequirement({ requirement }).analysis));
const queryCalls = (server: RunningDocsHttpServer): number => server.counter.snapshot().byTool['query-docs'] ?? 0;

/** Waits until Redis has expired a key (EX is whole seconds, so up to a second late). */
async function expired(key: string): Promise<void> {
  await expect.poll(() => db.client.exists(key), { timeout: (FRESH + STALE) * 1000, interval: 50 }).toBe(0);
}

describe('stale-while-error', () => {
  const requirement = 'Review the React components of team 7 for common mistakes';

  it('a rate-limited refresh serves the stale copy, marked degraded, and every worker serves it without asking again until the retry delay; then asks again, and recovers', async () => {
    const { flaky, server, sources, caches, prefix } = await setup(2);
    const [a, b] = sources as [CachedDocsSource, CachedDocsSource];
    const fresh = await researchOf(requirement, a);
    expect(fresh).toMatchObject({ calls: 1, degraded: [] });
    expect(fresh.libraries.map((l) => l.libraryId)).toEqual(['/facebook/react']);
    const key = pairKey(requirement);
    // The stale copy outlives the value by the stale window, and expires too.
    const [valueMs, staleMs] = (await db.client.multi().pttl(valueKey(prefix, 'research', key)).pttl(staleKey(prefix, 'research', key)).exec())!.map(([, ms]) => Number(ms));
    expect(valueMs).toBeLessThanOrEqual(FRESH * 1000);
    expect(staleMs! - valueMs!).toBeGreaterThan(STALE * 1000 - 100);
    expect(staleMs).toBeLessThanOrEqual((FRESH + STALE) * 1000);

    await expired(valueKey(prefix, 'research', key));
    flaky.mode = 'rate-limited';
    const stale = await researchOf(requirement, a);
    expect(stale.libraries).toEqual(fresh.libraries);
    expect(stale.degraded).toEqual([expect.stringMatching(/^stale research for \/facebook\/react: .*Rate limited or quota exceeded/)]);
    expect(stale.calls).toBe(1);
    expect(queryCalls(server)).toBe(2);
    // Another worker, at once: the same stale copy, and the source is not asked.
    const other = await researchOf(requirement, b);
    expect(other).toMatchObject({ libraries: fresh.libraries, calls: 0, degraded: stale.degraded });
    expect(queryCalls(server)).toBe(2);
    expect(await db.client.pttl(failingKey(prefix, 'research', key))).toBeLessThanOrEqual(RETRY_MS);
    // Past the retry delay (AF_RESEARCH_RETRY) the next look-up, on any worker, asks the source again;
    // still rate limited, it serves the stale copy once more and marks the entry failing again.
    await expired(failingKey(prefix, 'research', key));
    const retried = await researchOf(requirement, b);
    expect(retried).toMatchObject({ libraries: fresh.libraries, calls: 1, degraded: stale.degraded });
    expect(queryCalls(server)).toBe(3);
    expect(await db.client.pttl(failingKey(prefix, 'research', key))).toBeGreaterThan(0);
    // The requirement completes, marked degraded for its stale research.
    const result = await runPipeline({ requirement }, { docs: b });
    expect(result.report.passed).toBe(true);
    expect(result.degraded).toEqual(stale.degraded);
    expect(queryCalls(server)).toBe(3);

    flaky.mode = 'ok';
    await expired(failingKey(prefix, 'research', key));
    const recovered = await researchOf(requirement, b);
    expect(recovered).toMatchObject({ libraries: fresh.libraries, calls: 1, degraded: [] });
    expect(queryCalls(server)).toBe(4);
    expect(await db.client.exists(failingKey(prefix, 'research', key))).toBe(0);

    // The duplicate detector names the pair asked three times within its TTL (the failed call and the two retries)…
    await Promise.all(caches.map((c) => c.flushStats()));
    const stats = await cacheStats(db.client, prefix);
    expect(stats.duplicates).toEqual([{ namespace: 'research', label: expect.stringMatching(/^\/facebook\/react "/), computes: 3 }]);
    expect(stats.namespaces.research.stale).toBe(4);
    // …as does the server's own counter, over its lifetime.
    expect(server.counter.snapshot().duplicates).toEqual([expect.objectContaining({ tool: 'query-docs', library: '/facebook/react', calls: 4 })]);
  });

  it('a slow source (timeout) and a source that is down serve the stale copy; past the stale window there is no research, and the requirement is still answered', async () => {
    const { flaky, server, sources, prefix } = await setup();
    const source = sources[0] as CachedDocsSource;
    const slowRequirement = 'Write tests for the React app of team 8';
    const fresh = await researchOf(slowRequirement, source);
    expect(fresh.degraded).toEqual([]);
    const key = pairKey(slowRequirement);

    await expired(valueKey(prefix, 'research', key));
    flaky.mode = 'slow';
    const slow = await researchOf(slowRequirement, source);
    expect(slow.libraries).toEqual(fresh.libraries);
    expect(slow.degraded).toEqual([expect.stringMatching(/^stale research for \/facebook\/react: .*timed out/i)]);

    await server.close();
    await expired(failingKey(prefix, 'research', key));
    const down = await researchOf(slowRequirement, source);
    expect(down.libraries).toEqual(fresh.libraries);
    expect(down.degraded).toEqual([expect.stringMatching(/^stale research for \/facebook\/react: /)]);

    await expired(staleKey(prefix, 'research', key));
    const none = await researchOf(slowRequirement, source);
    expect(none).toMatchObject({ libraries: [], tokens: 0 });
    expect(none.degraded).toEqual([expect.stringMatching(/^research for \/facebook\/react failed: /)]);
    const result = await runPipeline({ requirement: slowRequirement }, { docs: source });
    expect(result.report.passed).toBe(true);
    expect(result.degraded).toEqual([expect.stringMatching(/^research for \/facebook\/react failed: /)]);
  });
});

describe('SharedCache stale window', () => {
  it('keeps stale copies only for namespaces with a window; getOrCompute still rejects; clearing drops the copies', async () => {
    const prefix = testPrefix();
    const own = new Redis(db.redis.url);
    const cache = new SharedCache({ redis: own, prefix, ttlSeconds: { research: FRESH } });
    db.defer(() => own.quit(), () => cache.close());
    await cache.getOrCompute('research', 'r', () => Promise.resolve('docs'));
    await cache.getOrCompute('analysis', 'a', () => Promise.resolve('plan'));
    // Research keeps its copy 30 days past its TTL by default; analysis keeps none.
    expect(await db.client.ttl(staleKey(prefix, 'research', 'r'))).toBeGreaterThan(29 * 86400);
    expect(await db.client.exists(staleKey(prefix, 'analysis', 'a'))).toBe(0);

    await expired(valueKey(prefix, 'research', 'r'));
    const failing = (): Promise<string> => Promise.reject(new Error('source down'));
    const fresher = new SharedCache({ redis: own, prefix, ttlSeconds: { research: FRESH } });
    db.defer(() => fresher.close());
    await expect(fresher.getOrCompute('research', 'r', failing)).rejects.toThrow('source down');
    expect(await fresher.getOrComputeStale('research', 'r', failing)).toEqual({ value: 'docs', stale: 'source down' });

    expect(await clearCache(db.client, prefix, 'research')).toBe(0);
    expect(await db.client.exists(staleKey(prefix, 'research', 'r'), failingKey(prefix, 'research', 'r'))).toBe(0);
    await expect(fresher.getOrComputeStale('research', 'r', failing)).rejects.toThrow('source down');
  });
});
