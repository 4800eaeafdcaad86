import { TierSchema, type AgentResult } from '@agent-factory/core';

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
}

/** The short report printed after a batch: by tier, time, tokens and gate results (the seed's table, from data). */
export function batchReport(results: AgentResult[], failed: number, seconds: number, out: string): string {
  const rows = TierSchema.options.map((tier) => {
    const of = results.filter((r) => r.plan.complexity.tier === tier);
    const avg = (f: (r: AgentResult) => number): string => (of.length ? (of.reduce((s, r) => s + f(r), 0) / of.length).toFixed(1) : '-');
    const ms = (r: AgentResult): number => r.timings.analyze + r.timings.research + r.timings.generate + r.timings.validate;
    return [tier, String(of.length), avg((r) => r.plan.complexity.score), avg(ms), avg((r) => r.budget.total.tokens), of.length ? `${Math.round((100 * of.filter((r) => r.report.passed).length) / of.length)}%` : '-'];
  });
  const header = ['tier', 'agents', 'complexity', 'ms/agent', 'tokens', 'gates passed'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [
    '',
    pad(header, widths),
    ...rows.map((r) => pad(r, widths)),
    '',
    `${results.length} agents written to ${out} (index.json maps each id to its file), ${failed} failed, in ${seconds.toFixed(2)} s.`,
  ].join('\n');
}
