import type { ResultsSummary } from '@agent-factory/sdk/output';

/** One line for people: what was written where (or, in a dry run, would be). */
export function describeResults(s: ResultsSummary, dryRun = false): string {
  const parts = [`${s.completed} completed`, `${s.failed} failed`];
  if (s.cancelled) parts.push(`${s.cancelled} cancelled`);
  if (s.pending) parts.push(`${s.pending} still pending`);
  if (s.notPassed) parts.push(`${s.notPassed} with failing gates`);
  const verb = !dryRun ? 'wrote' : 'would write (--dry-run, nothing written)';
  const unchanged = s.unchanged > 0 ? ` (${s.unchanged} of them in the folder already, unchanged)` : '';
  return `${verb} ${s.files} agent file(s)${unchanged} for ${s.inputs} input id(s) to ${s.out} (${parts.join(', ')}); index: ${s.index}`;
}
