import type { DocsSource, ResearchTarget } from '@agent-factory/core';
import { formatDuration } from '../duration.js';
import { describeError } from '../errors.js';
import { RESEARCH_ENV, researchSettingsFromEnv, type ResearchSettings } from '../research-settings.js';
import { fail, figure, pass, SETTING_FIX, warn, type DoctorCheck } from './check.js';
import { withTimeout } from '../with-timeout.js';

/**
 * The research source as workers open it (AF_RESEARCH). The caller builds it: the wiring lives in
 * packages/research, which this package does not depend on.
 */
export interface DoctorResearch {
  /** local, context7, context7-stdio or none. */
  mode: string;
  docs?: DocsSource;
  extraLibraries: ResearchTarget[];
}

const NAME = 'research source';
/** A library every source knows (the bundled docs included), and a topic it has docs on. */
const PROBE = { library: 'react', topic: 'hooks' };

const FIXES: Record<string, string> = {
  local: 'check AF_DOCS_DIR (a folder of Markdown), or set AF_RESEARCH=none to go without research',
  context7: 'check CONTEXT7_API_KEY and that CONTEXT7_URL (default https://mcp.context7.com/mcp) is reachable, or set AF_RESEARCH=local',
  'context7-stdio': 'check that `npx -y @upstash/context7-mcp` runs on this machine and CONTEXT7_API_KEY, or set AF_RESEARCH=local',
};
const fixFor = (mode: string): string => FIXES[mode] ?? 'set AF_RESEARCH to local, context7, context7-stdio or none';

/** One resolve and one query through the configured source, as research does for each library. */
export async function researchCheck(setup: DoctorResearch, timeoutMs: number): Promise<DoctorCheck> {
  const { docs, mode } = setup;
  if (!docs) return warn(NAME, 'no research (AF_RESEARCH=none): agents are written without library docs', 'set AF_RESEARCH=local for the bundled docs, or context7');
  const started = performance.now();
  try {
    const matches = await withTimeout(docs.resolveLibrary(PROBE.library, PROBE.topic), timeoutMs, `${mode} research`);
    const first = matches[0];
    if (!first) return warn(NAME, `${mode}: no library matched "${PROBE.library}", so research finds nothing`, fixFor(mode));
    const text = await withTimeout(docs.queryDocs(first.libraryId, PROBE.topic), timeoutMs, `${mode} research`);
    const ms = Math.round(performance.now() - started);
    if (text.trim() === '') return warn(NAME, `${mode}: ${first.libraryId} has no docs on "${PROBE.topic}"`, fixFor(mode));
    return pass(NAME, `${mode}: "${PROBE.library}" resolved to ${first.libraryId}, ${figure(text.length)} characters of docs on "${PROBE.topic}" in ${figure(ms)} ms`);
  } catch (error) {
    return fail(NAME, `${mode}: ${describeError(error)}`, fixFor(mode));
  }
}

const SETTINGS_NAME = 'research settings';

/**
 * AF_RESEARCH_TTL, _STALE, _RETRY, _CONCURRENCY and _BUDGET, read by the workers' own parser: FAIL with
 * its message (the variable and its value) where a worker would refuse to start, else the effective
 * values. Whatever AF_RESEARCH is: workers read these even without research.
 */
export function researchSettingsCheck(env: NodeJS.ProcessEnv): DoctorCheck {
  let settings: ResearchSettings;
  try {
    settings = researchSettingsFromEnv(env);
  } catch (error) {
    return fail(SETTINGS_NAME, `${describeError(error)}; workers refuse to start (exit 2)`, SETTING_FIX);
  }
  const { ttlSeconds, staleSeconds, retryMs, concurrency, budgetTokens } = settings;
  const stale = staleSeconds === 0 ? 'stale-while-error off' : `stale-while-error ${formatDuration(staleSeconds * 1000)}`;
  const defaults = Object.values(RESEARCH_ENV).every((name) => (env[name] ?? '') === '') ? ' (defaults)' : '';
  return pass(
    SETTINGS_NAME,
    `research cache: TTL ${formatDuration(ttlSeconds * 1000)}, ${stale}, retry after ${formatDuration(retryMs)}; ` +
      `${figure(concurrency)} docs call${concurrency === 1 ? '' : 's'} in flight per worker; budget ${figure(budgetTokens)} tokens per agent${defaults}`,
  );
}
