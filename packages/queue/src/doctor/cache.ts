import { CACHE_ENV, cacheSettingsFromEnv, type CacheSettings } from '../cache-settings.js';
import { formatDuration } from '../duration.js';
import { describeError } from '../errors.js';
import { fail, pass, SETTING_FIX, type DoctorCheck } from './check.js';

const NAME = 'agents cache';

/**
 * AF_AGENTS_TTL and AF_CACHE as a worker reads them: FAIL where a worker would refuse to start (it
 * reads the lifetime even with the cache off).
 */
export function agentsCacheCheck(env: NodeJS.ProcessEnv): DoctorCheck {
  let settings: CacheSettings;
  try {
    settings = cacheSettingsFromEnv(env);
  } catch (error) {
    return fail(NAME, `${describeError(error)}; workers refuse to start (exit 2)`, SETTING_FIX);
  }
  if (!settings.enabled) return pass(NAME, `off (AF_CACHE=${env[CACHE_ENV.enabled] ?? ''}): no docs answer or finished agent is shared; an identical requirement is generated again`);
  const source = (env[CACHE_ENV.agentsTtlSeconds] ?? '') === '' ? 'default' : CACHE_ENV.agentsTtlSeconds;
  return pass(NAME, `a finished agent is reused by identical requirements for ${formatDuration(settings.agentsTtlSeconds * 1000)} (${source})`);
}
