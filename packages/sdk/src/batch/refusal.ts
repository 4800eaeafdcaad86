import type { CheckResult } from '@agent-factory/queue/client';

/**
 * Why a checked requirements file cannot be submitted, if it cannot: a fatal problem, bad lines
 * without `skipInvalid`, or nothing to submit. The CLI and the library refuse alike.
 */
export function inputRefusal(label: string, check: CheckResult, skipInvalid: boolean, skipHint = 'add --skip-invalid'): string | undefined {
  if (check.fatal) return `${label}:${check.fatal.line}: ${check.fatal.message}; nothing was enqueued`;
  if (check.invalid > 0 && !skipInvalid) {
    return `${label}: ${check.invalid} bad line(s), nothing was enqueued (${check.valid > 0 ? `fix them, or ${skipHint} to submit the ${check.valid} good one(s)` : 'no line is good'})`;
  }
  if (check.valid === 0) return `${label} has no requirements; nothing was enqueued`;
  return undefined;
}
