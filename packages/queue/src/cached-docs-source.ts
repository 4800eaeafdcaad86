import { docsAnswerError, type Cache, type DocsLookup, type DocsLookupSource, type DocsSource, type LibraryMatch } from '@agent-factory/core';
import { researchCacheKey, resolveCacheKey } from './cache-keys.js';
import type { CacheLookup, LookupOptions } from './cache.js';

/**
 * The shared cache's stale-while-error look-up. The Cache port has only getOrCompute; SharedCache
 * has this too, and a docs source given a plain Cache simply never serves stale answers.
 */
interface StaleCache extends Cache {
  getOrComputeStale<T>(namespace: 'research', key: string, compute: () => Promise<T>, options?: LookupOptions): Promise<CacheLookup<T>>;
}
const servesStale = (cache: Cache): cache is StaleCache => typeof (cache as Partial<StaleCache>).getOrComputeStale === 'function';

/** A query for a duplicate report: short enough to read (user-docs queries are whole requirements). */
const shortQuery = (query: string): string => JSON.stringify(query.length > 80 ? `${query.slice(0, 77)}…` : query);

/**
 * A docs source whose answers go through the shared cache, one entry per (library, query) and one per
 * library name resolved: across the cluster each is fetched once, however many requirements and
 * workers need it. Error answers are not cached (they throw, and research reports them as degraded
 * with the same message). With a SharedCache, an expired answer whose refresh fails is served stale.
 */
export class CachedDocsSource implements DocsLookupSource {
  readonly name: string;

  constructor(
    private readonly inner: DocsSource,
    private readonly cache: Cache,
    private readonly ttlSeconds?: number,
  ) {
    this.name = inner.name;
  }

  async resolveLibrary(libraryName: string, query: string): Promise<LibraryMatch[]> {
    return (await this.resolveLibraryLookup(libraryName, query)).value;
  }

  async queryDocs(libraryId: string, query: string): Promise<string> {
    return (await this.queryDocsLookup(libraryId, query)).value;
  }

  /** Ids for a name, once per name (case and spacing aside) across the cluster; "none found" is cached too. */
  resolveLibraryLookup(libraryName: string, query: string): Promise<DocsLookup<LibraryMatch[]>> {
    return this.lookUp(resolveCacheKey(libraryName), `resolve ${JSON.stringify(libraryName.trim())}`, () => this.inner.resolveLibrary(libraryName, query));
  }

  queryDocsLookup(libraryId: string, query: string): Promise<DocsLookup<string>> {
    return this.lookUp(researchCacheKey(libraryId, query), `${libraryId} ${shortQuery(query)}`, async () => {
      const text = await this.inner.queryDocs(libraryId, query);
      const error = docsAnswerError(text);
      if (error !== undefined) throw new Error(error);
      return text;
    });
  }

  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }

  /** The cached value; `calls` is 1 only for the caller whose compute asked the source. */
  private async lookUp<T>(key: string, label: string, fetch: () => Promise<T>): Promise<DocsLookup<T>> {
    let calls = 0;
    const compute = (): Promise<T> => {
      calls = 1;
      return fetch();
    };
    if (!servesStale(this.cache)) return { value: await this.cache.getOrCompute('research', key, compute, this.ttlSeconds), calls };
    const found = await this.cache.getOrComputeStale('research', key, compute, { ttlSeconds: this.ttlSeconds, label });
    return found.stale === undefined ? { value: found.value, calls } : { value: found.value, calls, stale: found.stale };
  }
}
