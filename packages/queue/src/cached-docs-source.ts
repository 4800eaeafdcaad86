import { docsAnswerError, type Cache, type DocsSource, type LibraryMatch } from '@agent-factory/core';
import { researchCacheKey } from './cache-keys.js';

/**
 * A docs source whose answers go through the shared cache, one entry per (library, query): across the
 * cluster each pair is fetched once, however many requirements and workers need it. Error answers
 * are not cached (they throw, and research reports them as degraded with the same message).
 */
export class CachedDocsSource implements DocsSource {
  readonly name: string;

  constructor(
    private readonly inner: DocsSource,
    private readonly cache: Cache,
    private readonly ttlSeconds?: number,
  ) {
    this.name = inner.name;
  }

  resolveLibrary(libraryName: string, query: string): Promise<LibraryMatch[]> {
    return this.inner.resolveLibrary(libraryName, query);
  }

  queryDocs(libraryId: string, query: string): Promise<string> {
    return this.cache.getOrCompute(
      'research',
      researchCacheKey(libraryId, query),
      async () => {
        const text = await this.inner.queryDocs(libraryId, query);
        const error = docsAnswerError(text);
        if (error !== undefined) throw new Error(error);
        return text;
      },
      this.ttlSeconds,
    );
  }

  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }
}
