import { UnrecoverableError } from 'bullmq';
import type { DraftOutput } from './processors/outputs.js';

/**
 * An error that no retry can fix (bad data, a rejected request, missing credentials): the item
 * fails at once with this message as its reason.
 */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
  readonly permanent = true;
}

/** HTTP statuses a provider answers when the request itself is wrong (DESIGN: permanent faults). */
const PERMANENT_STATUSES = new Set([400, 401, 403, 404, 413, 422]);

/**
 * Whether an error is permanent: our PermanentError, a zod validation error, anything marked
 * `permanent: true`, or a provider error with a permanent HTTP status.
 */
export function isPermanentError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof PermanentError || error instanceof UnrecoverableError) return true;
  if (error.name === 'ZodError' || error.name === 'UnrecoverableError') return true;
  const marked = error as Error & { permanent?: unknown; status?: unknown };
  if (marked.permanent === true) return true;
  return typeof marked.status === 'number' && PERMANENT_STATUSES.has(marked.status);
}

/** One line a user can act on, for Bull Board's failedReason and `status`. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'ZodError') {
    // zod's message is a JSON dump of issues; the first issue reads better.
    const issues = (error as Error & { issues?: { path: PropertyKey[]; message: string }[] }).issues;
    const first = issues?.[0];
    if (first) return `invalid data: ${first.path.map(String).join('.') || 'value'}: ${first.message}`;
  }
  return error.message || error.name;
}

/** BullMQ's failedReason for a job whose worker stopped (crashed, lost Redis or its lock) more than maxStalledCount times. */
export const STALLED_TOO_OFTEN = 'job stalled more than allowable limit';

/**
 * A failed stage job's reason as its item keeps it (`stage: why`). BullMQ's words for a job stalled
 * too often are put plainly: the requirement did nothing wrong, its workers stopped, and retry runs it again.
 */
export function stageFailureReason(stage: string, batch: string, message: string, stalls: number): string {
  if (message.startsWith(`${stage}: `)) return message;
  if (message !== STALLED_TOO_OFTEN) return `${stage}: ${message}`;
  return `${stage}: the workers running it stopped (crashed or lost Redis) ${stalls} times; \`agent-factory retry ${batch}\` runs it again`;
}

/** Raised inside a processor when its batch was cancelled or the job aborted; never retried. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';

  constructor(
    message: string,
    /** A draft the job got (and the provider billed) before it saw the abort: its cancelled item still counts the bill. */
    readonly draft?: DraftOutput,
  ) {
    super(message);
  }
}

/**
 * Raised by a stage that must wait for work elsewhere (an identical requirement generating its agent):
 * its job goes back to the queue for `delayMs`, without spending an attempt.
 */
export class ParkedError extends Error {
  override readonly name = 'ParkedError';

  constructor(
    readonly delayMs: number,
    message: string,
  ) {
    super(message);
  }
}
