import { existsSync } from 'node:fs';
import type { DocsSource, ResearchTarget } from '@agent-factory/core';
import { LocalDocsSource, USER_DOCS_LIBRARY_ID } from './local-docs-source.js';

export interface ResearchSetup {
  docs?: DocsSource;
  /** The user's own docs (AF_DOCS_DIR), researched for every requirement. */
  extraLibraries: ResearchTarget[];
}

/** A research setting that cannot work (a docs folder that does not exist). */
export class ResearchSetupError extends Error {
  override readonly name = 'ResearchSetupError';
}

/**
 * The research source AF_RESEARCH names: the bundled docs (plus AF_DOCS_DIR) or none. One wiring
 * for the worker and the in-process commands, so both research alike.
 */
export function createResearchSetup(options: { research?: 'local' | 'none'; docsDir?: string }): ResearchSetup {
  if (options.research === 'none') return { extraLibraries: [] };
  const extraDirs = options.docsDir ? [options.docsDir] : [];
  for (const dir of extraDirs) if (!existsSync(dir)) throw new ResearchSetupError(`AF_DOCS_DIR ${dir} does not exist`);
  return {
    docs: new LocalDocsSource({ extraDirs }),
    extraLibraries: extraDirs.length > 0 ? [{ libraryId: USER_DOCS_LIBRARY_ID, name: 'Your docs', queryByRequirement: true }] : [],
  };
}
