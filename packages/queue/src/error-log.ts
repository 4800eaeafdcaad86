import type { Logger } from './logger.js';

/** How long the same error is logged once: a Redis outage makes each BullMQ worker emit ~17 a second. */
export const REPEAT_WINDOW_MS = 30_000;

/** Distinct messages remembered at once; more, and the oldest start over (logged again). */
const MAX_KINDS = 100;

/** BullMQ's words for a job whose lock ran out under its worker. */
const LOCK_LOST = /^(?:Missing lock for job|could not renew lock for job|Lock mismatch for job)\b/;

const LOCK_LOST_HINT =
  "the job's lock ran out (Redis did not answer, or this process was blocked, for longer than the lock lasts): " +
  'the job runs again (on any worker), and its requirement is still finished once';

/**
 * What makes two errors the same kind: their message without the job it names. A Redis that stalls
 * past the lock duration makes every running job fail to renew or finish, each naming its own job:
 * a few hundred stack traces per worker for one event.
 */
function errorKind(message: string): string {
  return message.replace(/\bjob [^\s.]+/g, 'job …');
}

/**
 * A BullMQ `error` handler that logs each kind of error (errorKind) once per REPEAT_WINDOW_MS, and with
 * the next one how many like it were left out meanwhile: an hour without Redis is some 120 lines per
 * worker, not 60,000 stack traces.
 */
export function throttledErrorLog(logger: Logger, message: string, fields: Record<string, unknown> = {}, now: () => number = Date.now): (error: Error) => void {
  const seen = new Map<string, { at: number; repeats: number }>();
  return (error) => {
    const kind = errorKind(error.message);
    const last = seen.get(kind);
    if (last && now() - last.at < REPEAT_WINDOW_MS) {
      last.repeats += 1;
      return;
    }
    seen.delete(kind);
    if (seen.size >= MAX_KINDS) seen.delete(seen.keys().next().value as string);
    seen.set(kind, { at: now(), repeats: 0 });
    const hint = LOCK_LOST.test(error.message) ? { hint: LOCK_LOST_HINT } : {};
    logger.warn({ ...fields, err: error, ...hint, ...(last?.repeats ? { repeatsLeftOut: last.repeats } : {}) }, message);
  };
}
