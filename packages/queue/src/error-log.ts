import type { Logger } from './logger.js';

/** How long the same error is logged once: a Redis outage makes each BullMQ worker emit ~17 a second. */
export const REPEAT_WINDOW_MS = 30_000;

/** Distinct messages remembered at once; more, and the oldest start over (logged again). */
const MAX_KINDS = 100;

/**
 * A BullMQ `error` handler that logs each distinct error once per REPEAT_WINDOW_MS, and with the next
 * one how many like it were left out meanwhile: an hour without Redis is some 120 lines per worker,
 * not 60,000 stack traces.
 */
export function throttledErrorLog(logger: Logger, message: string, fields: Record<string, unknown> = {}, now: () => number = Date.now): (error: Error) => void {
  const seen = new Map<string, { at: number; repeats: number }>();
  return (error) => {
    const kind = error.message;
    const last = seen.get(kind);
    if (last && now() - last.at < REPEAT_WINDOW_MS) {
      last.repeats += 1;
      return;
    }
    seen.delete(kind);
    if (seen.size >= MAX_KINDS) seen.delete(seen.keys().next().value as string);
    seen.set(kind, { at: now(), repeats: 0 });
    logger.warn({ ...fields, err: error, ...(last?.repeats ? { repeatsLeftOut: last.repeats } : {}) }, message);
  };
}
