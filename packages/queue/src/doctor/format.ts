import type { DoctorReport } from './check.js';

/** One line a check (`STATUS  name  detail — fix: …`), names aligned, then the summary line. */
export function formatReport(report: DoctorReport): string {
  const width = Math.max(0, ...report.checks.map((c) => c.name.length));
  const lines = report.checks.map((c) => `${c.status}  ${c.name.padEnd(width)}  ${c.detail}${c.fix ? ` — fix: ${c.fix}` : ''}`);
  const total = report.checks.length;
  lines.push(`${total} check${total === 1 ? '' : 's'}: ${report.passed} passed, ${report.warned} warned, ${report.failed} failed`);
  return `${lines.join('\n')}\n`;
}
