import { createResearchSetup as setup, ResearchSetupError, type ResearchSetup, type ResearchSetupOptions } from '@agent-factory/research';
import { WorkerSettingsError } from './worker-settings.js';

export type { ResearchSetup };

/** The research source for this worker; a bad setting is a settings error (exit 2). */
export function createResearchSetup(options: ResearchSetupOptions): ResearchSetup {
  try {
    return setup(options);
  } catch (error) {
    throw error instanceof ResearchSetupError ? new WorkerSettingsError(error.message) : error;
  }
}
