import { TierSchema, type AgentResult } from '@agent-factory/core';
import type { ItemResult } from '@agent-factory/queue/client';

/** What the batch report needs of one finished agent, wherever it ran. */
export interface ReportRow {
  tier: string;
  complexity?: number;
  ms: number;
  tokens: number;
  passed: boolean;
}

const sum = (timings: Record<string, number> | undefined): number => Object.values(timings ?? {}).reduce((a, b) => a + b, 0);

export function rowOfAgent(r: AgentResult): ReportRow {
  return { tier: r.plan.complexity.tier, complexity: r.plan.complexity.score, ms: sum(r.timings), tokens: r.budget.total.tokens, passed: r.report.passed };
}

export function rowOfItem(r: ItemResult): ReportRow | undefined {
  if (r.state !== 'completed' || !r.tier) return undefined;
  return { tier: r.tier, complexity: r.complexity, ms: sum(r.timings), tokens: r.tokens ?? 0, passed: r.passed ?? false };
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
}

/**
 * The table by tier (count, complexity, time, tokens, gate pass rate): the seed's benchmark table,
 * from data. Time is the stages' own run time (no queue waits) and tokens the budget of all stages,
 * which `report` gives otherwise (end to end; generation): the headers say which.
 */
export function tierTable(rows: ReportRow[]): string {
  const lines = TierSchema.options.map((tier) => {
    const of = rows.filter((r) => r.tier === tier);
    const avg = (f: (r: ReportRow) => number | undefined): string => {
      const values = of.map(f).filter((v): v is number => v !== undefined);
      return values.length ? (values.reduce((s, v) => s + v, 0) / values.length).toFixed(1) : '-';
    };
    return [tier, String(of.length), avg((r) => r.complexity), avg((r) => r.ms), avg((r) => r.tokens), of.length ? `${Math.round((100 * of.filter((r) => r.passed).length) / of.length)}%` : '-'];
  });
  const header = ['tier', 'agents', 'complexity', 'stage ms/agent', 'tokens (all stages)', 'gates passed'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((r) => (r[i] ?? '').length)));
  return [pad(header, widths), ...lines.map((r) => pad(r, widths))].join('\n');
}
