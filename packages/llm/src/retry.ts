export { sleep } from '@agent-factory/core';

/**
 * The wait before retry number `retry` (1-based): exponential from `baseMs`, capped at `maxMs`, a
 * random half of each step as jitter so a burst of failures does not retry in lockstep. A provider's
 * retry-after wins (plus a little jitter, so every waiter does not return in the same millisecond).
 */
export function backoffMs(retry: number, options: { baseMs: number; maxMs: number; retryAfterMs?: number }, random: () => number = Math.random): number {
  if (options.retryAfterMs !== undefined) return Math.round(options.retryAfterMs + random() * Math.min(1000, options.baseMs));
  const step = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

