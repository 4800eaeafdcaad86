import type { DoctorResearch } from '@agent-factory/queue';
import { parseResearchMode, researchMode } from '@agent-factory/research';
import { loadConfig } from './config.js';
import { createResearch } from './docs-source.js';

/**
 * The research source as `worker` opens it, for doctor (packages/queue cannot import
 * packages/research). Only the research variables are read, so a bad LOG_LEVEL is reported by the
 * logging check rather than here; a bad research setting throws and doctor reports it. AF_RESEARCH
 * is read first by the worker's own parser, so a bad one fails with the worker's words.
 */
export function openDoctorResearch(env: NodeJS.ProcessEnv): DoctorResearch {
  const { AF_RESEARCH, CONTEXT7_API_KEY, CONTEXT7_URL, AF_DOCS_DIR } = env;
  parseResearchMode(AF_RESEARCH);
  const config = loadConfig({ AF_RESEARCH, CONTEXT7_API_KEY, CONTEXT7_URL, AF_DOCS_DIR });
  return { mode: researchMode(config.AF_RESEARCH, config.CONTEXT7_API_KEY), ...createResearch(config) };
}
