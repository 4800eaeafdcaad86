import type { ResearchSettings } from '@agent-factory/queue';
import { createResearchSetup, ResearchSetupError, type ResearchSetup } from '@agent-factory/research';
import type { Config } from './config.js';
import { UsageError } from './usage-error.js';

/**
 * The research source the configuration names (AF_RESEARCH), or none; with research settings, its calls
 * are bounded and sized as a worker's. A bad setting is a usage error.
 */
export function createResearch(config: Config, settings?: Pick<ResearchSettings, 'budgetTokens' | 'concurrency'>): ResearchSetup {
  try {
    return createResearchSetup({
      research: config.AF_RESEARCH,
      docsDir: config.AF_DOCS_DIR,
      context7ApiKey: config.CONTEXT7_API_KEY,
      context7Url: config.CONTEXT7_URL,
      ...(settings ? { researchBudget: settings.budgetTokens, concurrency: settings.concurrency } : {}),
    });
  } catch (error) {
    throw error instanceof ResearchSetupError ? new UsageError(error.message) : error;
  }
}
