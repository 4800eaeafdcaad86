import type { MinimalJob } from 'bullmq';

/** The name of the factory's backoff strategy in job options (`backoff: { type, delay }`). */
export const BACKOFF_TYPE = 'af-jitter';

/** Longest wait between two attempts. */
export const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * Exponential backoff with jitter (a random half of each step, so a burst of failures does not
 * retry in lockstep). A provider's retry-after (`retryAfterMs` on the error) wins when present.
 */
export function backoffDelay(attemptsMade: number, baseMs: number, error?: Error, random: () => number = Math.random): number {
  const retryAfter = (error as (Error & { retryAfterMs?: unknown }) | undefined)?.retryAfterMs;
  if (typeof retryAfter === 'number' && retryAfter >= 0) return Math.round(retryAfter + random() * Math.min(1000, baseMs));
  const step = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/** BullMQ's custom backoff hook (worker `settings.backoffStrategy`). */
export function backoffStrategy(attemptsMade: number, type?: string, error?: Error, job?: MinimalJob): number {
  const backoff = job?.opts.backoff;
  const base = typeof backoff === 'object' && typeof backoff.delay === 'number' ? backoff.delay : 1000;
  // Another type here means a job from elsewhere: BullMQ only calls us for unknown types.
  return type === BACKOFF_TYPE ? backoffDelay(attemptsMade, base, error) : base;
}
