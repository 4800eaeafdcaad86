import type { MetricsReport } from './report.js';

export interface AlertThresholds {
  errorRate: number;
  p95Ms: number;
  tokensPerAgent: number;
}

export interface Alert {
  name: 'error_rate' | 'p95_time' | 'tokens_per_agent';
  value: number;
  threshold: number;
  message: string;
}

/** Below this many finished requirements a window says too little to alert on. */
export const MIN_ALERT_SAMPLE = 10;

/** The thresholds a window's report crosses. */
export function crossedThresholds(report: MetricsReport, t: AlertThresholds): Alert[] {
  const { totals } = report;
  if (totals.completed + totals.failed < MIN_ALERT_SAMPLE) return [];
  const alerts: Alert[] = [];
  if (totals.errorRate > t.errorRate) {
    alerts.push({ name: 'error_rate', value: totals.errorRate, threshold: t.errorRate, message: `error rate ${(totals.errorRate * 100).toFixed(1)}% is over ${(t.errorRate * 100).toFixed(1)}% (${totals.failed} of ${totals.completed + totals.failed} failed)` });
  }
  if (totals.timeP95Ms !== undefined && totals.timeP95Ms > t.p95Ms) {
    alerts.push({ name: 'p95_time', value: totals.timeP95Ms, threshold: t.p95Ms, message: `p95 time per requirement ${Math.round(totals.timeP95Ms)} ms is over ${t.p95Ms} ms` });
  }
  if (totals.tokensPerAgent > t.tokensPerAgent) {
    alerts.push({ name: 'tokens_per_agent', value: totals.tokensPerAgent, threshold: t.tokensPerAgent, message: `${Math.round(totals.tokensPerAgent)} tokens per agent is over ${t.tokensPerAgent}` });
  }
  return alerts;
}
