import { DEFAULT_BUDGETS, DEFAULT_RESEARCH_BUDGET } from '@agent-factory/core';
import { z } from 'zod';
import { DEFAULT_CACHE_TTL_SECONDS, DEFAULT_STALE_RETRY_MS, DEFAULT_STALE_SECONDS, type SharedCacheOptions } from './cache.js';
import { durationSchema, MAX_DURATION_MS, secondsSchema } from './duration.js';
import { settingsFromEnv } from './env-settings.js';

/** Docs calls in flight at once per process: enough to overlap a source's latency, few enough not to be throttled. */
export const DEFAULT_RESEARCH_CONCURRENCY = 8;

/** Below this, compressed research holds hardly a note. */
const MIN_RESEARCH_BUDGET = 100;

/** A whole number in a range, from an environment string. */
function wholeNumber(min: number, max: number): z.ZodType<number, string> {
  return z.string().transform((text, ctx) => {
    const n = Number(text.trim());
    if (/^\d+$/.test(text.trim()) && n >= min && n <= max) return n;
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a whole number from ${min} to ${max}` });
    return z.NEVER;
  });
}

/**
 * How research reads docs, from the environment: the shared cache's lifetimes for docs answers and
 * stale-while-error, how many docs calls a process makes at once, and the token budget per agent.
 * Durations are `7d`, `12h`, `90s`, `500ms` or a plain number of seconds.
 */
export const ResearchSettingsSchema = z.object({
  /** How long a docs answer is fresh in the shared cache, whole seconds. */
  ttlSeconds: secondsSchema(1000).default(DEFAULT_CACHE_TTL_SECONDS.research),
  /** How long a stale copy outlives its answer, to be served while the source fails; 0 keeps none. */
  staleSeconds: secondsSchema(0).default(DEFAULT_STALE_SECONDS.research ?? 0),
  /** After a failed call, the stale copy is served this long before the source is asked again, cluster-wide. */
  retryMs: durationSchema({ bareUnit: 's', min: 1, max: MAX_DURATION_MS }).transform(Math.ceil).default(DEFAULT_STALE_RETRY_MS),
  /** Docs calls in flight at once in one process (cache misses only: hits and waiters never call). */
  concurrency: wholeNumber(1, 1000).default(DEFAULT_RESEARCH_CONCURRENCY),
  /** Research tokens per agent: the compressed notes, and the most any docs call asks for; at most the research stage's budget. */
  budgetTokens: wholeNumber(MIN_RESEARCH_BUDGET, DEFAULT_BUDGETS.research).default(DEFAULT_RESEARCH_BUDGET),
});
export type ResearchSettings = z.output<typeof ResearchSettingsSchema>;

/** Which environment variable sets each field. */
export const RESEARCH_ENV = {
  ttlSeconds: 'AF_RESEARCH_TTL',
  staleSeconds: 'AF_RESEARCH_STALE',
  retryMs: 'AF_RESEARCH_RETRY',
  concurrency: 'AF_RESEARCH_CONCURRENCY',
  budgetTokens: 'AF_RESEARCH_BUDGET',
} as const satisfies Record<keyof ResearchSettings, string>;

/** The research settings from the environment (see RESEARCH_ENV); a bad value names its variable. */
export function researchSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ResearchSettings {
  return settingsFromEnv(ResearchSettingsSchema, RESEARCH_ENV, env);
}

/** The shared cache's options for the research namespace under these settings. */
export function researchCacheOptions(settings: ResearchSettings): Pick<SharedCacheOptions, 'ttlSeconds' | 'staleSeconds' | 'staleRetryMs'> {
  return { ttlSeconds: { research: settings.ttlSeconds }, staleSeconds: { research: settings.staleSeconds }, staleRetryMs: settings.retryMs };
}
