// Libraries the catalog does not know, named in a requirement: picked from the wording, resolved once
// per name through the docs server's resolve-library-id (real MCP over HTTP), cached cluster-wide.
import { fileURLToPath } from 'node:url';
import { analyze, pickLibraryMatch, planRequirement, research, unlistedLibraries } from '@agent-factory/core';
import { context7Http, KnowledgeBase, LocalDocsSource, NO_LIBRARIES_TEXT, readKnowledgeBase } from '@agent-factory/research';
import { startDocsHttpServer, type RunningDocsHttpServer } from '@agent-factory/research/serve';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CachedDocsSource, cacheStats, SharedCache } from '../packages/queue/src/cache.js';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

const names = (requirement: string): { name: string; libraryId?: string }[] => unlistedLibraries(analyze(requirement));

describe('unlistedLibraries', () => {
  it('reads capitalized and name-shaped runs mid-sentence that the catalog does not know', () => {
    expect(names('Review the Remix loaders for N+1 queries')).toEqual([{ name: 'Remix' }]);
    expect(names('Build a SolidJS dashboard backed by Drizzle ORM')).toEqual([{ name: 'SolidJS' }, { name: 'Drizzle' }]);
    expect(names('Audit the Alpine.js widgets of our storefront')).toEqual([{ name: 'Alpine.js' }]);
    // A run that starts with a known library is another library ("React Router" is not React).
    expect(names('Write tests for the routes using React Router')).toEqual([{ name: 'React Router' }]);
  });

  it('gives catalog ids for catalog names that analysis skips as ordinary words, and skips what analysis listed', () => {
    expect(names('Review the Express routes and the Go workers of team 4')).toEqual([
      { name: 'Express', libraryId: '/expressjs/express' },
      { name: 'Go', libraryId: '/golang/go' },
    ]);
    // Frameworks, integrations, API suffixes, sentence starts and acronyms are not new names.
    expect(names('Review React pull requests on GitHub and post to Slack')).toEqual([]);
    expect(names('Debug the GraphQL API endpoints of the Node.js Express API')).toEqual([]);
    expect(names('Qwik components need tests. Check the CI logs for SLA breaches.')).toEqual([]);
    // A compound on a known library is that library: "Kafka-based" is Kafka, "Python-Code" Python.
    expect(names('Audit our Kafka-based and Python-Code pipelines')).toEqual([]);
    expect(names('Review the Remix-based storefront')).toEqual([{ name: 'Remix' }]);
  });

  it('keeps at most two, and reads nothing in other languages (they capitalize nouns)', () => {
    expect(names('Migrate from Vue to Qwik with Pinia stores and Vitest, then Astro, Remix and Hono')).toEqual([{ name: 'Qwik' }, { name: 'Pinia' }]);
    expect(names('Ein Agent, der Python-Code auf Sicherheitslücken überprüft.')).toEqual([]);
  });
});

describe('pickLibraryMatch', () => {
  it('takes the first match that is the named library, in another spelling if need be, and no fuzzy neighbour', () => {
    const solid = { libraryId: '/solidjs/solid', title: 'Solid' };
    expect(pickLibraryMatch('SolidJS', [{ libraryId: '/facebook/react', title: 'React' }, solid])).toEqual(solid);
    expect(pickLibraryMatch('Drizzle', [{ libraryId: '/drizzle-team/drizzle-orm', title: 'Drizzle ORM' }])?.libraryId).toBe('/drizzle-team/drizzle-orm');
    expect(pickLibraryMatch('Spark', [{ libraryId: '/apache/spark', title: 'Apache Spark' }])?.libraryId).toBe('/apache/spark');
    expect(pickLibraryMatch('React Router', [{ libraryId: '/facebook/react', title: 'React' }])).toBeUndefined();
    expect(pickLibraryMatch('Remix', [{ libraryId: 'remix', title: 'Remix' }])).toBeUndefined();
  });
});

describe('resolution through the docs server', () => {
  // The bundled knowledge plus one library the catalog does not have.
  const extra = readKnowledgeBase({ dir: fileURLToPath(new URL('./fixtures/knowledge-extra/', import.meta.url)) });
  const local = new LocalDocsSource({ knowledgeBase: new KnowledgeBase([...readKnowledgeBase().entries, ...extra.entries]) });
  let redis: TestRedis;
  let server: RunningDocsHttpServer;
  beforeAll(async () => {
    [redis, server] = await Promise.all([startRedis({ appendonly: false }), startDocsHttpServer({ source: local })]);
  });
  afterAll(async () => {
    await server?.close();
    await redis?.stop();
  });

  it('answers resolve-library-id for names it knows, and says plainly when it knows none', async () => {
    // A server of its own: the next test counts every call of its server.
    const own = await startDocsHttpServer({ source: local });
    const source = context7Http({ url: own.url });
    try {
      expect((await source.resolveLibrary('Remix', 'Remix'))[0]).toMatchObject({ libraryId: '/remix-run/remix', title: 'Remix' });
      expect((await source.resolveLibrary('Spark', 'Spark'))[0]).toMatchObject({ libraryId: '/apache/spark' });
      expect(await source.resolveLibrary('Qwik', 'Qwik')).toEqual([]);
    } finally {
      await source.close();
      await own.close();
    }
    const none = local.resolveLibraryText('Qwik', 'Qwik');
    expect(none.startsWith(`${NO_LIBRARIES_TEXT} The bundled docs have no library named "Qwik"`)).toBe(true);
  });

  it('resolves each unknown name once across two workers (single-flight, cached), then researches it like the others', async () => {
    const prefix = testPrefix();
    const clients = [new Redis(redis.url), new Redis(redis.url)];
    const caches = clients.map((c) => new SharedCache({ redis: c, prefix }));
    const workers = caches.map((cache) => new CachedDocsSource(context7Http({ url: server.url }), cache));
    const before = server.counter.snapshot();
    try {
      const requirements = Array.from({ length: 12 }, (_, i) => `Review the Remix loaders and the Qwik widgets of team ${i} for common mistakes`);
      const results = await Promise.all(requirements.map((requirement, i) => research(planRequirement({ requirement }).analysis, workers[i % 2]!)));
      for (const r of results) {
        expect(r.libraries.map((l) => l.libraryId)).toEqual(['/remix-run/remix']);
        expect(r.libraries[0]?.practices.length).toBeGreaterThan(0);
        // Qwik resolves to nothing: a gap, not a degradation.
        expect(r.degraded).toEqual([]);
      }
      // Two resolves and one docs call in all; the requirement that made them says so, the others cost nothing.
      expect(results.reduce((n, r) => n + r.calls, 0)).toBe(3);
      const after = server.counter.snapshot();
      expect((after.byTool['resolve-library-id'] ?? 0) - (before.byTool['resolve-library-id'] ?? 0)).toBe(2);
      expect((after.byTool['query-docs'] ?? 0) - (before.byTool['query-docs'] ?? 0)).toBe(1);
      expect(after.duplicates).toEqual([]);
      expect((await cacheStats(clients[0]!, prefix)).duplicates).toEqual([]);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(caches.map((c) => c.close()));
      await Promise.all(clients.map((c) => c.quit()));
    }
  });
});
