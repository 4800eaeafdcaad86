import { z } from 'zod';
import { DEFAULT_CACHE_TTL_SECONDS } from './cache.js';
import { secondsSchema } from './duration.js';
import { settingsFromEnv } from './env-settings.js';

/** AF_CACHE's spellings: README documents `none`; the usual boolean words are taken too, anything else is refused (a typo must not leave the cache on). */
export const CACHE_SWITCH = { on: ['on', 'true', '1', 'yes'], off: ['none', 'off', 'false', '0', 'no'] } as const;
const CACHE_WORDS: readonly string[] = [...CACHE_SWITCH.on, ...CACHE_SWITCH.off];

/**
 * Whether the shared cache is on, and how long it keeps each finished agent for an identical
 * requirement to reuse. Redis must not evict (BullMQ), so this lifetime is what bounds the agents
 * cache: about 2.6 KB per distinct requirement generated within it (the agent and its generation count).
 */
export const CacheSettingsSchema = z.object({
  /** The shared cache for docs answers and finished agents (AF_CACHE). */
  enabled: z
    .string()
    .refine((v) => CACHE_WORDS.includes(v), `must be ${CACHE_SWITCH.off.join(', ')} (cache off) or ${CACHE_SWITCH.on.join(', ')} (on)`)
    .transform((v) => !(CACHE_SWITCH.off as readonly string[]).includes(v))
    .default(true),
  agentsTtlSeconds: secondsSchema(1000).default(DEFAULT_CACHE_TTL_SECONDS.agents),
});
export type CacheSettings = z.output<typeof CacheSettingsSchema>;

/** Which environment variable sets each field. */
export const CACHE_ENV = { enabled: 'AF_CACHE', agentsTtlSeconds: 'AF_AGENTS_TTL' } as const satisfies Record<keyof CacheSettings, string>;

/** The cache settings from the environment; a bad value names its variable. */
export function cacheSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): CacheSettings {
  return settingsFromEnv(CacheSettingsSchema, CACHE_ENV, env, (field, value) => (field === 'enabled' ? value.trim().toLowerCase() : value));
}
