export { Bm25Index, tokenize } from './bm25.js';
export {
  formatLibrarySearch,
  formatQueryDocs,
  NO_LIBRARIES_TEXT,
  SNIPPET_SEPARATOR,
  UNKNOWN_LIBRARY_TEXT,
  type DocSection,
  type LibrarySearchResult,
} from './context7-format.js';
export {
  BUNDLED_KNOWLEDGE_DIR,
  KnowledgeBase,
  readKnowledgeBase,
  splitMarkdownSections,
  type KnowledgeKind,
  type RankedItems,
  type ReadKnowledgeBaseOptions,
  type UserDocSection,
} from './knowledge-base.js';
export { parseKnowledgeFile, splitFrontmatter, type CodeExample, type KnowledgeEntry } from './knowledge-file.js';
export { LocalDocsSource, USER_DOCS_LIBRARY_ID, type LocalDocsSourceOptions } from './local-docs-source.js';
export { createResearchSetup, ResearchSetupError, type ResearchSetup } from './research-setup.js';
