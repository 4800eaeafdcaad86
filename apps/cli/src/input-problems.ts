import type { CheckResult } from '@agent-factory/queue/client';

/** Problems printed before the rest is only counted. */
export const PRINTED_PROBLEMS = 20;

/** `FILE:LINE: reason` lines for the check's first problems, then a count of the rest. */
export function describeProblems(label: string, check: CheckResult): string[] {
  const lines = check.errors.slice(0, PRINTED_PROBLEMS).map((p) => `${label}:${p.line}: ${p.message}`);
  const rest = check.invalid - Math.min(check.errors.length, PRINTED_PROBLEMS);
  if (rest > 0) lines.push(`… and ${rest} more bad line(s)`);
  return lines;
}
