import { createResearchSetup as setup, ResearchSetupError, type ResearchSetup, type ResearchSetupOptions } from '@agent-factory/research';
import { WorkerSettingsError, type WorkerSettings } from './worker-settings.js';

export type { ResearchSetup };

/** The research source for this worker; a bad setting is a settings error (exit 2). */
export function createResearchSetup(options: ResearchSetupOptions): ResearchSetup {
  try {
    return setup(options);
  } catch (error) {
    throw error instanceof ResearchSetupError ? new WorkerSettingsError(error.message) : error;
  }
}

/** Where the worker's research reads docs, and how its calls are sized (AF_RESEARCH_BUDGET) and bounded (AF_RESEARCH_CONCURRENCY). */
export function researchSetupOptions(settings: WorkerSettings): ResearchSetupOptions {
  const { budgetTokens, concurrency } = settings.researchSettings;
  return { research: settings.research, ...(settings.docsDir ? { docsDir: settings.docsDir } : {}), ...settings.context7, researchBudget: budgetTokens, concurrency };
}
