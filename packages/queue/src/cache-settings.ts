import { z } from 'zod';
import { DEFAULT_CACHE_TTL_SECONDS } from './cache.js';
import { secondsSchema } from './duration.js';
import { settingsFromEnv } from './env-settings.js';

/**
 * How long the shared cache keeps each finished agent for an identical requirement to reuse. Redis
 * must not evict (BullMQ), so this lifetime is what bounds the agents cache: about 2.5 KB per
 * distinct requirement generated within it.
 */
export const CacheSettingsSchema = z.object({
  agentsTtlSeconds: secondsSchema(1000).default(DEFAULT_CACHE_TTL_SECONDS.agents),
});
export type CacheSettings = z.output<typeof CacheSettingsSchema>;

/** Which environment variable sets each field. */
export const CACHE_ENV = { agentsTtlSeconds: 'AF_AGENTS_TTL' } as const satisfies Record<keyof CacheSettings, string>;

/** The cache settings from the environment; a bad value names its variable. */
export function cacheSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): CacheSettings {
  return settingsFromEnv(CacheSettingsSchema, CACHE_ENV, env);
}
