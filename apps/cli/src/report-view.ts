import type { MetricsReport } from '@agent-factory/core';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number | undefined): string => (n === undefined ? '—' : n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);
const pct = (n: number): string => `${(n * 100).toFixed(1)}%`;
const usd = (n: number): string => `$${n < 1 ? n.toFixed(4) : n.toFixed(2)}`;
/** An optimization's figure; null when nothing recorded says it. */
const amount = (n: number | null, unit: string): string => (n === null ? 'unknown' : unit === 'USD' ? usd(n) : int(n));

/** A plain-text table with aligned columns. */
function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The report as the terminal shows it: the seed's tables, filled from what the cluster recorded. */
export function formatReport(r: MetricsReport): string {
  const when = `${new Date(r.window.from).toISOString()} → ${new Date(r.window.to).toISOString()}`;
  const t = r.totals;
  const parts = [
    `${r.window.batch ? `Batch ${r.window.batch}` : 'Cluster'}, ${when}`,
    `${int(t.finished)} finished: ${int(t.completed)} completed, ${int(t.failed)} failed, ${int(t.cancelled)} cancelled; clean success ${pct(t.successRate)} (completed with every gate passed and nothing degraded: an offline fallback or degraded research completes but is not a success), error rate ${pct(t.errorRate)}, ${t.perMinute.toFixed(1)} agents/min, p95 ${ms(t.timeP95Ms)} end to end (queue waits included), p95 ${ms(t.processingP95Ms)} processing (stages' run time), ${int(t.tokensPerAgent)} tokens per agent`,
    '',
    'By tier',
    table(['tier', 'count', 'complexity avg', 'time avg', 'time p95', 'tokens avg', 'clean success'], r.tiers.map((x) => [x.tier, int(x.count), x.complexityAvg.toFixed(1), ms(x.timeAvgMs), ms(x.timeP95Ms), int(x.tokensAvg), pct(x.successRate)])),
    '',
    'By stage',
    table(['stage', 'count', 'wait avg', 'wait p95', 'run avg', 'run p95'], r.stages.map((s) => [s.stage, int(s.count), ms(s.waitAvgMs), ms(s.waitP95Ms), ms(s.runAvgMs), ms(s.runP95Ms)])),
    '',
    'Tokens against the stage budgets (per agent)',
    table(['stage', 'tokens avg', 'budget', 'used'], r.budget.map((b) => [b.stage, int(b.tokensAvg), int(b.limit), pct(b.usedShare)])),
    '',
    'Cost',
    r.usage.length > 0
      ? table(['model', 'mode', 'agents', 'input', 'cache write', 'cache read', 'output', 'cost', 'per 1,000'], r.usage.map((u) => [u.model, u.mode, int(u.agents), int(u.input), int(u.cacheWrite), int(u.cacheRead), int(u.output), usd(u.cost), usd(u.costPer1000)]))
      : 'no generation recorded',
    `total ${usd(r.cost.total)} (at realtime prices ${usd(r.cost.realtimeEquivalent)}), ${usd(r.cost.per1000)} per 1,000 agents, monthly projection at this rate ${usd(r.cost.monthlyProjection)}`,
    '',
    'Optimization impact',
    table(['technique', 'before', 'after', 'avoided', 'unit', 'how'], r.optimizations.map((o) => [o.technique, amount(o.before, o.unit), amount(o.after, o.unit), amount(o.avoided, o.unit), o.unit, o.note])),
    '',
    'Top errors',
    r.errors.length > 0 ? table(['count', 'error'], r.errors.map((e) => [int(e.count), e.name])) : 'none',
    '',
    'Troubleshooting',
    `agents over 8,000 tokens: ${int(r.troubleshooting.overTokens)}${r.troubleshooting.overTokensExamples.map((e) => `\n  ${e.batch ?? ''} ${e.key ?? ''}: ${int(e.tokens)} tokens — ${e.why}`).join('')}`,
    `generation timeouts: ${int(r.troubleshooting.timeouts)}; offline fallbacks: ${int(r.troubleshooting.fallbacks)}; research degraded: ${int(r.troubleshooting.researchDegraded)}; degraded in all: ${int(r.troubleshooting.degraded)}; retries: ${int(r.troubleshooting.retries)}`,
    `research: ${int(r.research.lookups)} look-ups, ${int(r.research.calls)} calls to the source (cache answered ${pct(r.research.cacheHitRate)}), ${int(r.research.tokensAvg)} tokens per agent, ${int(r.research.duplicates)} duplicate look-ups`,
    r.troubleshooting.gateFailures.length > 0 ? `gate failures by rule:\n${table(['count', 'rule'], r.troubleshooting.gateFailures.map((g) => [int(g.count), g.name]))}` : 'gate failures: none',
  ];
  return parts.join('\n');
}
