import type { DocsSource, LibraryMatch } from '@agent-factory/core';
import {
  formatLibrarySearch,
  formatQueryDocs,
  NO_LIBRARIES_TEXT,
  UNKNOWN_LIBRARY_TEXT,
  type DocSection,
  type LibrarySearchResult,
} from './context7-format.js';
import { entryBenchmarkScore, userDocsBenchmarkScore, userDocsCodeSnippets } from './docs-coverage.js';
import { readKnowledgeBase, type KnowledgeBase, type KnowledgeKind } from './knowledge-base.js';
import type { KnowledgeEntry } from './knowledge-file.js';

/** The library id under which the user's own Markdown (AF_DOCS_DIR) is served. */
export const USER_DOCS_LIBRARY_ID = '/local/docs';
const USER_DOCS_NAMES = new Set(['docs', 'local docs', 'project docs', 'user docs', 'standards', 'company standards', 'adr', 'adrs']);

export interface LocalDocsSourceOptions {
  /** A knowledge base already read; by default the bundled one plus `extraDirs` is read once here. */
  knowledgeBase?: KnowledgeBase;
  /** Dirs of the user's Markdown to serve as USER_DOCS_LIBRARY_ID. */
  extraDirs?: readonly string[];
  /** Answers kept per (library, query); the oldest is dropped beyond this (default 4,096). */
  cacheSize?: number;
  /** User doc sections per answer (default 5). */
  userDocsLimit?: number;
}

const KIND_TITLES: Record<KnowledgeKind, string> = {
  practices: 'best practices',
  patterns: 'patterns',
  pitfalls: 'pitfalls',
  example: 'example',
};

/** Docs from the bundled knowledge base (and the user's Markdown), answered in Context7's formats. */
export class LocalDocsSource implements DocsSource {
  readonly name = 'local';
  readonly knowledgeBase: KnowledgeBase;
  private readonly cache = new Map<string, string>();
  private readonly cacheSize: number;
  private readonly userDocsLimit: number;

  constructor(options: LocalDocsSourceOptions = {}) {
    this.knowledgeBase = options.knowledgeBase ?? readKnowledgeBase({ extraDirs: options.extraDirs ?? [] });
    this.cacheSize = Math.max(1, options.cacheSize ?? 4096);
    this.userDocsLimit = options.userDocsLimit ?? 5;
  }

  resolveLibrary(libraryName: string, _query: string): Promise<LibraryMatch[]> {
    return Promise.resolve(this.search(libraryName).map(({ title, libraryId, description }) => ({ libraryId, title, description })));
  }

  /** The `resolve-library-id` answer text for a name; for a name it has nothing for, Context7's words and then what it does cover. */
  resolveLibraryText(libraryName: string, _query: string): string {
    const results = this.search(libraryName);
    if (results.length > 0) return formatLibrarySearch(results);
    const userDocs = this.knowledgeBase.userSections.length > 0 ? `, and your own docs as ${USER_DOCS_LIBRARY_ID}` : '';
    return `${NO_LIBRARIES_TEXT} The bundled docs have no library named ${JSON.stringify(libraryName.trim())}: they cover ${this.knowledgeBase.entries.length} libraries and practice areas${userDocs}.`;
  }

  queryDocs(libraryId: string, query: string): Promise<string> {
    const key = `${libraryId}\u0000${query}`;
    let text = this.cache.get(key);
    if (text === undefined) {
      text = this.answer(libraryId, query);
      if (this.cache.size >= this.cacheSize) {
        const oldest = this.cache.keys().next();
        if (oldest.done !== true) this.cache.delete(oldest.value);
      }
      this.cache.set(key, text);
    }
    return Promise.resolve(text);
  }

  private search(libraryName: string): LibrarySearchResult[] {
    const results: LibrarySearchResult[] = this.knowledgeBase.resolve(libraryName).map((e) => ({
      title: e.name,
      libraryId: e.id,
      description: e.description || `${e.name}: curated best practices, patterns and pitfalls.`,
      codeSnippets: e.example ? 1 : 0,
      sourceReputation: 'High',
      benchmarkScore: entryBenchmarkScore(e),
    }));
    const wanted = libraryName.trim().toLowerCase();
    if (this.knowledgeBase.userSections.length > 0 && (USER_DOCS_NAMES.has(wanted) || wanted === USER_DOCS_LIBRARY_ID)) {
      results.unshift({
        title: 'Local docs',
        libraryId: USER_DOCS_LIBRARY_ID,
        description: "The project's own Markdown: standards, ADRs and guides.",
        codeSnippets: userDocsCodeSnippets(this.knowledgeBase.userSections),
        sourceReputation: 'High',
        benchmarkScore: userDocsBenchmarkScore(this.knowledgeBase.userSections),
      });
    }
    return results;
  }

  private answer(libraryId: string, query: string): string {
    if (libraryId.trim().toLowerCase() === USER_DOCS_LIBRARY_ID) return this.answerUserDocs(query);
    const entry = this.knowledgeBase.get(libraryId);
    if (!entry) return UNKNOWN_LIBRARY_TEXT;
    // The first source is the entry's main page; a knowledge file does not cite per bullet.
    const source = entry.sources[0] ?? entry.id;
    const sections: DocSection[] = this.knowledgeBase.rank(entry, query).map(({ kind, order }) => {
      const title = `${entry.name} ${KIND_TITLES[kind]}`;
      if (kind === 'example') return { title, source, text: '', code: entry.example ?? { language: 'text', code: '' } };
      return { title, source, text: order.map((i) => `- ${entry[kind][i] ?? ''}`).join('\n') };
    });
    return formatQueryDocs(sections);
  }

  private answerUserDocs(query: string): string {
    const hits = this.knowledgeBase.searchUserDocs(query, this.userDocsLimit);
    if (hits.length === 0) return 'No documentation in the local docs matched the query.';
    return formatQueryDocs(hits.map(({ section: s }) => ({ title: [...s.parents, s.title].join(' › '), source: s.file, text: s.text })));
  }
}
