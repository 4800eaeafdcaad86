import type { Finding } from '@agent-factory/core';

/** The totals of a `validate` run, counted by worst finding so the words match the exit code (1 on any error). */
export interface ValidateSummary {
  files: number;
  /** Files without any finding. */
  clean: number;
  /** Files with warnings and no error: they do not fail the run. */
  withWarnings: number;
  /** Files with an error: any one makes the run exit 1. */
  withErrors: number;
  /** Files whose four gates all passed (each file's `passed`; TRUST 5 may fail on warnings alone). */
  passed: number;
  failed: number;
  errors: number;
  warnings: number;
}

/** The totals of no files yet: each file is counted in as it is checked, so none need be kept. */
export function emptySummary(): ValidateSummary {
  return { files: 0, clean: 0, withWarnings: 0, withErrors: 0, passed: 0, failed: 0, errors: 0, warnings: 0 };
}

export function countFile(s: ValidateSummary, file: { passed: boolean; findings: readonly Finding[] }): void {
  const errors = file.findings.filter((f) => f.severity === 'error').length;
  s.files++;
  s.errors += errors;
  s.warnings += file.findings.length - errors;
  if (errors > 0) s.withErrors++;
  else if (file.findings.length > 0) s.withWarnings++;
  else s.clean++;
  if (file.passed) s.passed++;
  else s.failed++;
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** `3 files: 1 clean, 2 with warnings, 0 with errors; 0 errors, 14 warnings`. */
export function summaryLine(s: ValidateSummary): string {
  return `${count(s.files, 'file')}: ${s.clean} clean, ${s.withWarnings} with warnings, ${s.withErrors} with errors; ${count(s.errors, 'error')}, ${count(s.warnings, 'warning')}`;
}
