import type { DocsSource, LibraryMatch } from '@agent-factory/core';
import { USER_DOCS_LIBRARY_ID } from './local-docs-source.js';

/**
 * Context7 cannot know the user's own Markdown: its library id goes to the local docs, every other
 * id to the remote source. Names resolve remotely first, then locally.
 */
export function withUserDocs(remote: DocsSource, local: DocsSource): DocsSource {
  const isUserDocs = (libraryId: string): boolean => libraryId.trim().toLowerCase() === USER_DOCS_LIBRARY_ID;
  return {
    name: remote.name,
    async resolveLibrary(libraryName: string, query: string): Promise<LibraryMatch[]> {
      const own = await local.resolveLibrary(libraryName, query);
      const userDocs = own.filter((m) => isUserDocs(m.libraryId));
      return [...userDocs, ...(await remote.resolveLibrary(libraryName, query))];
    },
    queryDocs: (libraryId: string, query: string) => (isUserDocs(libraryId) ? local : remote).queryDocs(libraryId, query),
    async close() {
      await Promise.all([remote.close?.(), local.close?.()]);
    },
  };
}
