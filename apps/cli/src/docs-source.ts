import { existsSync } from 'node:fs';
import type { DocsSource, ResearchTarget } from '@agent-factory/core';
import { LocalDocsSource, USER_DOCS_LIBRARY_ID } from '@agent-factory/research';
import type { Config } from './config.js';
import { UsageError } from './usage-error.js';

export interface ResearchSetup {
  docs?: DocsSource;
  /** The user's own docs (AF_DOCS_DIR), researched for every requirement. */
  extraLibraries: ResearchTarget[];
}

/** The research source the configuration names (AF_RESEARCH), or none. */
export function createResearch(config: Config): ResearchSetup {
  if (config.AF_RESEARCH === 'none') return { extraLibraries: [] };
  const extraDirs = config.AF_DOCS_DIR ? [config.AF_DOCS_DIR] : [];
  for (const dir of extraDirs) if (!existsSync(dir)) throw new UsageError(`AF_DOCS_DIR ${dir} does not exist`);
  return {
    docs: new LocalDocsSource({ extraDirs }),
    extraLibraries: extraDirs.length > 0 ? [{ libraryId: USER_DOCS_LIBRARY_ID, name: 'Your docs', queryByRequirement: true }] : [],
  };
}
