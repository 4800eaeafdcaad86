// The MCP servers (docs server over stdio and HTTP) are `@agent-factory/research/serve`: a process that
// researches loads no server side of the MCP SDK.
export { Bm25Index, tokenize } from './bm25.js';
export { CallCounter, type CallCounts, type CountedCall } from './call-counter.js';
export {
  formatLibrarySearch,
  formatQueryDocs,
  NO_LIBRARIES_TEXT,
  parseLibrarySearch,
  SNIPPET_SEPARATOR,
  UNKNOWN_LIBRARY_TEXT,
  type DocSection,
  type LibrarySearchResult,
} from './context7-format.js';
export { Context7UrlSchema, parseContext7Url } from './context7-url.js';
export { LEGACY_QUERY_TOOL, QUERY_TOOL, RESOLVE_TOOL } from './docs-tools.js';
export { classifyAnswer, classifyCallError, DocsSourceError, type AnswerVerdict, type DocsErrorKind } from './docs-errors.js';
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
export { docsCallTokens, McpDocsSource, MIN_DOCS_CALL_TOKENS, type McpDocsApi, type McpDocsSourceOptions } from './mcp-docs-source.js';
export { context7Http, context7Stdio, CONTEXT7_URL, localMcp, type McpSourceTuning } from './mcp-sources.js';
export {
  createResearchSetup,
  parseResearchMode,
  RESEARCH_MODES,
  researchMode,
  ResearchSetupError,
  type ResearchMode,
  type ResearchSetup,
  type ResearchSetupOptions,
} from './research-setup.js';
export { Semaphore } from './semaphore.js';
export { withUserDocs } from './user-docs-router.js';
