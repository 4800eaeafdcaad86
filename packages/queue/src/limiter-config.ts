import { z } from 'zod';

/** The three limits the Messages API enforces per minute, named as in its `anthropic-ratelimit-*` headers. */
export const LIMIT_NAMES = ['requests', 'input', 'output'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];
/** An amount per limit: requests, input tokens, output tokens. */
export type LimitAmounts = Record<LimitName, number>;

/** `AF_RATE_LIMIT`'s keys for each limit. */
const KEYS: Record<string, LimitName> = { rpm: 'requests', itpm: 'input', otpm: 'output' };

const PerMinute = z.number().int().positive().optional();

/** Requests, input tokens and output tokens per minute; an unset limit is not enforced. */
export const RateLimitsSchema = z.object({ rpm: PerMinute, itpm: PerMinute, otpm: PerMinute });
export type RateLimits = z.infer<typeof RateLimitsSchema>;

/**
 * Parses `rpm=50,itpm=30000,otpm=8000` (AF_RATE_LIMIT; any subset, the provider's limits for the
 * whole cluster). Unknown keys, repeats and non-positive numbers are errors.
 */
export function parseRateLimit(text: string): RateLimits {
  const limits: RateLimits = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, value, ...rest] = pair.split('=').map((s) => s.trim());
    const n = Number(value);
    const known = key !== undefined && Object.hasOwn(KEYS, key);
    if (!known || rest.length > 0 || !Number.isInteger(n) || n < 1) throw new Error(`"${pair}" is not rpm=N, itpm=N or otpm=N (e.g. rpm=50,itpm=30000,otpm=8000)`);
    if (limits[key as keyof RateLimits] !== undefined) throw new Error(`${key} is given twice`);
    limits[key as keyof RateLimits] = n;
  }
  if (Object.keys(limits).length === 0) throw new Error('no limit given (e.g. rpm=50,itpm=30000,otpm=8000)');
  return limits;
}

/** The limits by header name, 0 where none is set. */
export function limitAmounts(limits: RateLimits): LimitAmounts {
  return { requests: limits.rpm ?? 0, input: limits.itpm ?? 0, output: limits.otpm ?? 0 };
}
