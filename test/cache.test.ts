import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lockKey, staleKey, valueKey } from '../packages/queue/src/cache-names.js';
import { analysisCacheKey, CachedDocsSource, cacheStats, clearCache, researchCacheKey, SharedCache, type SharedCacheOptions } from '../packages/queue/src/cache.js';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

let server: TestRedis;
const clients: Redis[] = [];
const caches: SharedCache[] = [];

beforeAll(async () => {
  server = await startRedis({ appendonly: false });
});
afterEach(async () => {
  await Promise.all(caches.splice(0).map((c) => c.close()));
  await Promise.all(clients.splice(0).map((c) => c.quit()));
});
afterAll(async () => {
  await server.stop();
});

/** A separate ioredis client, as each worker process has its own. */
function client(): Redis {
  const c = new Redis(server.url);
  clients.push(c);
  return c;
}
function cache(prefix: string, options: Partial<SharedCacheOptions> = {}): SharedCache {
  const c = new SharedCache({ redis: client(), prefix, ...options });
  caches.push(c);
  return c;
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('SharedCache memory tier', () => {
  it('keeps at most maxEntries, least recently used dropped first', async () => {
    const prefix = testPrefix();
    const c = cache(prefix, { memory: { maxEntries: 3 } });
    for (const k of ['a', 'b', 'c', 'd', 'e']) await c.set('analysis', k, { k });
    // With Redis emptied, only what memory still holds can answer.
    await client().del(...['a', 'b', 'c', 'd', 'e'].map((k) => valueKey(prefix, 'analysis', k)));
    const found = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => c.get('analysis', k)));
    expect(found).toEqual([undefined, undefined, { k: 'c' }, { k: 'd' }, { k: 'e' }]);
  });

  it('keeps at most maxBytes of JSON, and never an entry larger than that', async () => {
    const prefix = testPrefix();
    const c = cache(prefix, { memory: { maxBytes: 100 } });
    const value = (n: number): { text: string } => ({ text: String(n).repeat(30) }); // 41 bytes of JSON
    for (const n of [1, 2, 3]) await c.set('research', `k${n}`, value(n));
    await c.set('research', 'big', { text: 'x'.repeat(200) });
    await client().del(...['k1', 'k2', 'k3', 'big'].map((k) => valueKey(prefix, 'research', k)));
    expect(await c.get('research', 'k1')).toBeUndefined();
    expect(await c.get('research', 'k2')).toEqual(value(2));
    expect(await c.get('research', 'k3')).toEqual(value(3));
    expect(await c.get('research', 'big')).toBeUndefined();
  });

  it('hands every caller its own copy', async () => {
    const c = cache(testPrefix());
    await c.set('templates', 't', { list: [1] });
    const first = await c.get<{ list: number[] }>('templates', 't');
    first?.list.push(2);
    expect(await c.get('templates', 't')).toEqual({ list: [1] });
  });
});

describe('SharedCache Redis tier', () => {
  it('stores JSON under prefix:cache:namespace:key with the namespace TTL or the one given', async () => {
    const prefix = testPrefix();
    const c = cache(prefix);
    const redis = client();
    await c.set('analysis', 'a', { x: 1 });
    await c.getOrCompute('templates', 't', () => Promise.resolve('tpl'));
    await c.getOrCompute('agents', 'g', () => Promise.resolve('agent'), 60);
    expect(JSON.parse((await redis.get(`${prefix}:cache:analysis:a`)) ?? '')).toEqual({ x: 1 });
    expect(await redis.ttl(valueKey(prefix, 'analysis', 'a'))).toBeGreaterThan(7 * 86400 - 5);
    expect(await redis.ttl(valueKey(prefix, 'analysis', 'a'))).toBeLessThanOrEqual(7 * 86400);
    expect(await redis.ttl(valueKey(prefix, 'templates', 't'))).toBeGreaterThan(30 * 86400 - 5);
    expect(await redis.ttl(valueKey(prefix, 'agents', 'g'))).toBeLessThanOrEqual(60);
  });

  it('answers from Redis what another worker computed, then from memory', async () => {
    const prefix = testPrefix();
    await cache(prefix).getOrCompute('analysis', 'k', () => Promise.resolve({ v: 1 }));
    const other = cache(prefix);
    let calls = 0;
    const compute = (): Promise<{ v: number }> => Promise.resolve({ v: ++calls });
    expect(await other.getOrCompute('analysis', 'k', compute)).toEqual({ v: 1 });
    await client().del(valueKey(prefix, 'analysis', 'k'));
    expect(await other.getOrCompute('analysis', 'k', compute)).toEqual({ v: 1 });
    expect(calls).toBe(0);
  });
});

describe('memory tier lifetime', () => {
  // Redis keeps the entry 300 ms more; a worker reading it then must not serve it past that.
  const expiring = async (prefix: string, key: string): Promise<void> => {
    await cache(prefix).set('agents', key, { agent: 1 });
    await client().pexpire(valueKey(prefix, 'agents', key), 300);
  };

  it('keeps a value read from Redis in memory no longer than Redis keeps it (get, getOrCompute)', async () => {
    const prefix = testPrefix();
    await expiring(prefix, 'read');
    await expiring(prefix, 'looked-up');
    const worker = cache(prefix);
    expect(await worker.get('agents', 'read')).toEqual({ agent: 1 });
    expect(await worker.getOrCompute('agents', 'looked-up', () => Promise.resolve({ agent: 2 }))).toEqual({ agent: 1 });
    await sleep(400);
    expect(await client().exists(valueKey(prefix, 'agents', 'read'))).toBe(0);
    expect(await worker.get('agents', 'read')).toBeUndefined();
    expect(await worker.getOrCompute('agents', 'looked-up', () => Promise.resolve({ agent: 2 }))).toEqual({ agent: 2 });
  });

  it('a waiter woken with another worker\'s value keeps it no longer than Redis does', async () => {
    const prefix = testPrefix();
    const [a, b] = [cache(prefix), cache(prefix)];
    const slow = async (): Promise<string> => {
      await sleep(100);
      return 'first';
    };
    // a computes with a 1 s TTL; b, waiting on a's lock, is handed the value by the lock script.
    const [, waited] = await Promise.all([a.getOrCompute('agents', 'w', slow, 1), sleep(20).then(() => b.getOrCompute('agents', 'w', () => Promise.resolve('b computed')))]);
    expect(waited).toBe('first');
    await sleep(1200);
    expect(await b.getOrCompute('agents', 'w', () => Promise.resolve('again'))).toBe('again');
  });
});

describe('compressed values', () => {
  /** An agent-like value: some 6 KB of JSON, Markdown lines that vary as real ones do. */
  const agent = { s: 'completed', c: Array.from({ length: 120 }, (_, i) => `- Check rule ${i} of the ${['API', 'schema', 'handler'][i % 3]} layer (${(i * 7919) % 1000})`).join('\n') };
  const json = JSON.stringify(agent);

  it('keeps a large value compressed in Redis (under half its JSON) and a small one plain', async () => {
    const prefix = testPrefix();
    await cache(prefix).set('agents', 'big', agent);
    await cache(prefix).set('agents', 'small', { s: 'completed' });
    const stored = (await client().getBuffer(valueKey(prefix, 'agents', 'big')))!;
    expect(json.length).toBeGreaterThan(5000);
    expect(stored.length).toBeLessThan(json.length / 2);
    expect(stored.toString('utf8')).not.toContain('Check rule');
    expect(await client().get(valueKey(prefix, 'agents', 'small'))).toBe('{"s":"completed"}');
  });

  it('reads a compressed value back on every path: get, getOrCompute, a waiter woken by the writer', async () => {
    const prefix = testPrefix();
    await cache(prefix).set('agents', 'set', agent);
    expect(await cache(prefix).get('agents', 'set')).toEqual(agent);
    expect(await cache(prefix).getOrCompute('agents', 'set', () => Promise.reject(new Error('not computed')))).toEqual(agent);
    // The waiter reads the value through the lock script's reply, not the plain GET.
    const [writer, waiter] = [cache(prefix), cache(prefix)];
    const written = writer.getOrCompute('agents', 'flight', async () => {
      await sleep(300);
      return agent;
    });
    await sleep(50);
    expect(await waiter.getOrCompute('agents', 'flight', () => Promise.reject(new Error('not computed')))).toEqual(agent);
    expect(await written).toEqual(agent);
  });

  it('serves a compressed stale copy while the source fails', async () => {
    const prefix = testPrefix();
    const options = { staleSeconds: { research: 600 } };
    await cache(prefix, options).getOrComputeStale('research', 'docs', () => Promise.resolve(agent));
    expect((await client().getBuffer(staleKey(prefix, 'research', 'docs')))!.length).toBeLessThan(json.length / 2);
    // The fresh value expired; the source now fails: the failing compute's release hands back the stale copy…
    await client().del(valueKey(prefix, 'research', 'docs'));
    const down = (): Promise<never> => Promise.reject(new Error('docs source down'));
    expect(await cache(prefix, options).getOrComputeStale('research', 'docs', down)).toEqual({ value: agent, stale: 'docs source down' });
    // …and the next worker gets it from the lock script while the entry is marked failing.
    expect(await cache(prefix, options).getOrComputeStale('research', 'docs', down)).toEqual({ value: agent, stale: 'docs source down' });
  });

  it('reads a large value stored plain (before compression) as it is', async () => {
    const prefix = testPrefix();
    await client().set(valueKey(prefix, 'agents', 'old'), json);
    expect(await cache(prefix).get('agents', 'old')).toEqual(agent);
  });
});

describe('single-flight', () => {
  it('computes once for 20 concurrent callers on 4 workers, and wakes the waiters at once', async () => {
    const prefix = testPrefix();
    // Polling so slow that only the notifications can explain a fast finish.
    const workers = Array.from({ length: 4 }, () => cache(prefix, { pollMs: 10_000 }));
    let calls = 0;
    const compute = async (): Promise<{ answer: number }> => {
      calls++;
      await sleep(100);
      return { answer: 42 };
    };
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => workers[i % 4]!.getOrCompute('research', 'pair', compute)));
    expect(calls).toBe(1);
    expect(results).toEqual(Array.from({ length: 20 }, () => ({ answer: 42 })));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await client().exists(lockKey(prefix, 'research', 'pair'))).toBe(0);
  });

  it('takes over when the lock holder dies without writing', async () => {
    const prefix = testPrefix();
    // A worker that took the lock and died: nobody renews it.
    await client().set(lockKey(prefix, 'analysis', 'orphan'), 'dead-worker', 'PX', 300, 'NX');
    const c = cache(prefix);
    let calls = 0;
    const started = Date.now();
    const value = await c.getOrCompute('analysis', 'orphan', () => Promise.resolve(++calls));
    expect(value).toBe(1);
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('keeps the lock while a long compute runs (renewed), so nobody computes twice', async () => {
    const prefix = testPrefix();
    // A compute three lock lifetimes long; the lifetime leaves a loaded machine's timers some slack.
    const [a, b] = [cache(prefix, { lockTtlMs: 400, pollMs: 50 }), cache(prefix, { lockTtlMs: 400, pollMs: 50 })];
    let calls = 0;
    const compute = async (): Promise<string> => {
      calls++;
      await sleep(1200);
      return 'slow';
    };
    const first = a.getOrCompute('agents', 'slow', compute);
    await sleep(20);
    expect(await Promise.all([first, b.getOrCompute('agents', 'slow', compute)])).toEqual(['slow', 'slow']);
    expect(calls).toBe(1);
  });

  it('computes itself when a live holder takes longer than waitTimeoutMs', async () => {
    const prefix = testPrefix();
    await client().set(lockKey(prefix, 'agents', 'stuck'), 'busy-worker', 'PX', 60_000);
    const c = cache(prefix, { waitTimeoutMs: 300 });
    const started = Date.now();
    expect(await c.getOrCompute('agents', 'stuck', () => Promise.resolve('mine'))).toBe('mine');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    // The other holder's lock is not ours to drop.
    expect(await client().get(lockKey(prefix, 'agents', 'stuck'))).toBe('busy-worker');
  });

  it('a compute that throws rejects for its callers, frees the lock, and a waiter elsewhere takes over', async () => {
    const prefix = testPrefix();
    const [a, b] = [cache(prefix, { pollMs: 10_000 }), cache(prefix, { pollMs: 10_000 })];
    const failing = async (): Promise<string> => {
      await sleep(100);
      throw new Error('provider down');
    };
    let calls = 0;
    const working = async (): Promise<string> => {
      calls++;
      return 'ok';
    };
    const onA = [a.getOrCompute('analysis', 'k', failing), a.getOrCompute('analysis', 'k', failing)];
    await sleep(20);
    const started = Date.now();
    const onB = b.getOrCompute('analysis', 'k', working);
    const settled = await Promise.allSettled(onA);
    expect(settled.map((s) => (s.status === 'rejected' ? (s.reason as Error).message : s.value))).toEqual(['provider down', 'provider down']);
    expect(await onB).toBe('ok');
    // Woken by the release, not by the (10 s) poll or the (10 s) lock expiry.
    expect(Date.now() - started).toBeLessThan(1000);
    expect(calls).toBe(1);
  });

  it('computes again on a later call after a compute failed', async () => {
    const prefix = testPrefix();
    const c = cache(prefix);
    await expect(c.getOrCompute('research', 'r', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await client().exists(lockKey(prefix, 'research', 'r'))).toBe(0);
    expect(await c.getOrCompute('research', 'r', () => Promise.resolve('second'))).toBe('second');
  });

  it('refuses to store undefined', async () => {
    const c = cache(testPrefix());
    await expect(c.getOrCompute('analysis', 'u', () => Promise.resolve(undefined))).rejects.toThrow(/JSON/);
  });

  it('computes once across two processes', async () => {
    const prefix = testPrefix();
    const script = fileURLToPath(new URL('./fixtures/cache-worker.ts', import.meta.url));
    const run = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, server.url, prefix], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`worker exited ${code}`))));
      });
    const outputs = await Promise.all([run(), run()]);
    expect(outputs).toEqual(['value-1 x10', 'value-1 x10']);
    expect(await client().get(`${prefix}:computes`)).toBe('1');
  }, 20_000);
});

describe('counters and clearing', () => {
  it('counts hits and misses per namespace and layer, cluster-wide', async () => {
    const prefix = testPrefix();
    const [a, b] = [cache(prefix), cache(prefix)];
    await a.getOrCompute('analysis', 'k', () => Promise.resolve(1)); // miss, computed
    await a.getOrCompute('analysis', 'k', () => Promise.resolve(1)); // memory
    await b.getOrCompute('analysis', 'k', () => Promise.resolve(1)); // redis
    await b.get('analysis', 'k'); // memory
    await b.get('research', 'nothing'); // miss
    await Promise.all([a.flushStats(), b.close()]);
    const stats = await cacheStats(client(), prefix);
    expect(stats.namespaces.analysis).toEqual({ memory: 2, redis: 1, miss: 1, computed: 1, waited: 0, stale: 0, hitRate: 0.75 });
    expect(stats.namespaces.research).toMatchObject({ miss: 1, hitRate: 0 });
    expect(stats.namespaces.templates.hitRate).toBe(0);
    expect(stats.total).toMatchObject({ memory: 2, redis: 1, miss: 2, hitRate: 0.6 });
  });

  it('counts waiters on other workers as waited', async () => {
    const prefix = testPrefix();
    const workers = [cache(prefix), cache(prefix)];
    const compute = async (): Promise<number> => {
      await sleep(50);
      return 7;
    };
    await Promise.all([workers[0]!.getOrCompute('research', 'w', compute), workers[1]!.getOrCompute('research', 'w', compute), workers[1]!.getOrCompute('research', 'w', compute)]);
    await Promise.all(workers.map((w) => w.flushStats()));
    expect((await cacheStats(client(), prefix)).namespaces.research).toMatchObject({ miss: 3, computed: 1, waited: 2 });
  });

  it('counts callers that share one in-process lookup as it was answered: a Redis hit for each, misses only when computed', async () => {
    const prefix = testPrefix();
    const first = cache(prefix);
    await first.getOrCompute('research', 'docs', () => Promise.resolve('answer'));
    await first.flushStats();
    const worker = cache(prefix);
    const never = (): Promise<string> => Promise.reject(new Error('not computed: the value is in Redis'));
    expect(await Promise.all(Array.from({ length: 5 }, () => worker.getOrComputeStale('research', 'docs', never)))).toEqual(Array.from({ length: 5 }, () => ({ value: 'answer' })));
    await worker.flushStats();
    const redisHits = (await cacheStats(client(), prefix)).namespaces.research;
    // The first worker's miss and compute; this worker's five callers all found it in Redis.
    expect(redisHits).toMatchObject({ redis: 5, miss: 1, computed: 1, waited: 0 });

    // Sharing a compute: the leader computed, the four others waited for it; five misses.
    const other = testPrefix();
    const computing = cache(other);
    const slow = async (): Promise<string> => {
      await sleep(50);
      return 'made';
    };
    await Promise.all(Array.from({ length: 5 }, () => computing.getOrCompute('research', 'new', slow)));
    await computing.flushStats();
    expect((await cacheStats(client(), other)).namespaces.research).toMatchObject({ redis: 0, miss: 5, computed: 1, waited: 4 });
  });

  it('names the keys computed more than once within their TTL (the duplicate detector), and forgets them with their namespace', async () => {
    const prefix = testPrefix();
    const [a, b] = [cache(prefix, { waitTimeoutMs: 100 }), cache(prefix, { waitTimeoutMs: 100 })];
    const slow = async (): Promise<string> => {
      await sleep(300);
      return 'docs';
    };
    const label = '/x/y "testing"';
    // b gives up waiting on a's slow compute and computes too: one key, two computes.
    await Promise.all([a.getOrComputeStale('research', 'pair', slow, { label }), sleep(20).then(() => b.getOrComputeStale('research', 'pair', slow, { label }))]);
    await Promise.all([a.getOrCompute('agents', 'agent', slow), sleep(20).then(() => b.getOrCompute('agents', 'agent', slow))]);
    await a.getOrCompute('research', 'once', () => Promise.resolve('x'));
    // Research and agents are counted by default: docs calls and generations are what cost.
    const agentTwice = { namespace: 'agents', label: 'agent', computes: 2 };
    expect((await cacheStats(client(), prefix)).duplicates).toEqual([{ namespace: 'research', label, computes: 2 }, agentTwice]);
    await clearCache(client(), prefix, 'research');
    expect((await cacheStats(client(), prefix)).duplicates).toEqual([agentTwice]);
    // Fetched again after clearing: a first compute, not a duplicate (a new worker, so no memory tier answers).
    expect(await cache(prefix).getOrCompute('research', 'pair', () => Promise.resolve('again'))).toBe('again');
    expect((await cacheStats(client(), prefix)).duplicates).toEqual([agentTwice]);
  });

  it('clears one namespace (Redis and every worker memory) or all, and says how many entries went', async () => {
    const prefix = testPrefix();
    const [a, b] = [cache(prefix), cache(prefix)];
    for (let i = 0; i < 25; i++) await a.set('analysis', `a${i}`, i);
    await a.set('research', 'r', 'kept');
    await b.get('analysis', 'a1'); // now in b's memory
    await b.get('research', 'r');
    await Promise.all([a.flushStats(), b.flushStats()]);
    expect(await clearCache(client(), prefix, 'analysis')).toBe(25);
    // The cleared namespace's counters start again; the others' stay.
    const afterClear = await cacheStats(client(), prefix);
    expect(afterClear.namespaces.analysis).toEqual({ memory: 0, redis: 0, miss: 0, computed: 0, waited: 0, stale: 0, hitRate: 0 });
    expect(afterClear.namespaces.research).toMatchObject({ computed: 1, memory: 0, redis: 1 });
    expect(await client().exists(valueKey(prefix, 'research', 'r'))).toBe(1);
    await expect.poll(() => b.get('analysis', 'a1')).toBeUndefined();
    expect(await a.get('analysis', 'a2')).toBeUndefined();
    expect(await b.get('research', 'r')).toBe('kept');
    await Promise.all([a.flushStats(), b.flushStats()]);
    expect(await clearCache(client(), prefix)).toBe(1);
    expect((await cacheStats(client(), prefix)).total).toMatchObject({ memory: 0, redis: 0, miss: 0, computed: 0 });
  });
});

describe('warmed keys', () => {
  it('reads Redis only for keys cache warm stored, and only while their entries live', async () => {
    const prefix = testPrefix();
    const warm = cache(prefix, { ttlSeconds: { analysis: 1 } });
    await warm.set('analysis', 'warmed', { plan: 1 }, 1);
    await warm.markWarmed('analysis', ['warmed']);
    await warm.flushStats();
    const worker = cache(prefix);
    expect(await worker.getIfWarm('analysis', 'warmed')).toEqual({ plan: 1 });
    // Warming one key does not send every other key's lookup to Redis, where it would miss.
    for (let i = 0; i < 20; i++) expect(await worker.getIfWarm('analysis', `cold ${i}`)).toBeUndefined();
    await worker.flushStats();
    expect((await cacheStats(client(), prefix)).namespaces.analysis).toMatchObject({ redis: 1, miss: 0 });
    // Once the warmed entries expired, nothing is read: no misses for the rest of the old TTL.
    await sleep(1100);
    expect(await worker.getIfWarm('analysis', 'warmed')).toBeUndefined();
    expect(await worker.getIfWarm('analysis', 'cold 0')).toBeUndefined();
    await worker.flushStats();
    expect((await cacheStats(client(), prefix)).namespaces.analysis).toMatchObject({ redis: 1, miss: 0 });
  });
});

describe('cache keys', () => {
  it('keys a plan by the normalized requirement and what else changes it', () => {
    const key = analysisCacheKey({ requirement: 'Review  Terraform plans\n for public S3 buckets ' });
    expect(analysisCacheKey('Review Terraform plans for public S3 buckets')).toBe(key);
    expect(analysisCacheKey({ requirement: 'Review Terraform plans for public S3 buckets', tier: 'complex' })).not.toBe(key);
    expect(analysisCacheKey('Review Terraform plans for public S3 buckets', { models: { simple: 'sonnet' } })).not.toBe(key);
    expect(key).toMatch(/^[\w-]{43}$/);
  });

  it('caches docs answers per (library, query) across workers, never error answers', async () => {
    const prefix = testPrefix();
    let calls = 0;
    const inner = {
      name: 'fake',
      resolveLibrary: () => Promise.resolve([]),
      queryDocs: async (libraryId: string, query: string): Promise<string> => {
        calls++;
        return libraryId === '/bad/lib' ? 'Rate limited: try again later' : `### ${libraryId} ${query}\nSource: https://x\nUse it well.`;
      },
    };
    const [a, b] = [new CachedDocsSource(inner, cache(prefix)), new CachedDocsSource(inner, cache(prefix))];
    const answers = await Promise.all([a.queryDocs('/x/y', 'testing'), b.queryDocs('/x/y', 'testing'), b.queryDocs('/x/y', 'security')]);
    expect(answers[0]).toBe(answers[1]);
    expect(calls).toBe(2);
    expect(await client().exists(valueKey(prefix, 'research', researchCacheKey('/x/y', 'testing')))).toBe(1);
    await expect(a.queryDocs('/bad/lib', 'testing')).rejects.toThrow(/Rate limited/);
    await expect(a.queryDocs('/bad/lib', 'testing')).rejects.toThrow(/Rate limited/);
    expect(calls).toBe(4);
  });
});
