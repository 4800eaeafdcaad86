import { createResearchSetup, ResearchSetupError, type ResearchSetup } from '@agent-factory/research';
import type { Config } from './config.js';
import { UsageError } from './usage-error.js';

/** The research source the configuration names (AF_RESEARCH), or none; a bad setting is a usage error. */
export function createResearch(config: Config): ResearchSetup {
  try {
    return createResearchSetup({ research: config.AF_RESEARCH, docsDir: config.AF_DOCS_DIR, context7ApiKey: config.CONTEXT7_API_KEY, context7Url: config.CONTEXT7_URL });
  } catch (error) {
    throw error instanceof ResearchSetupError ? new UsageError(error.message) : error;
  }
}
