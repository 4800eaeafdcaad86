import { UnrecoverableError } from 'bullmq';

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

/** Raised inside a processor when its batch was cancelled or the job aborted; never retried. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
}
