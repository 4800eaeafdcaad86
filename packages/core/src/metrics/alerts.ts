import type { MetricsReport } from './report.js';

export interface AlertThresholds {
  errorRate: number;
  /** Over the p95 processing time (stages' run time, queue waits excluded): a slow model or provider, not a long queue. */
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
  // Not the end-to-end time: a large batch queued at once waits about its own duration, every time.
  const p95 = totals.processingP95Ms;
  if (p95 !== undefined && p95 > t.p95Ms) {
    alerts.push({ name: 'p95_time', value: p95, threshold: t.p95Ms, message: `p95 processing time per requirement ${Math.round(p95)} ms is over ${t.p95Ms} ms (its stages' run time, queue waits excluded; cached answers and Message Batch generations not counted)` });
  }
  if (totals.tokensPerAgent > t.tokensPerAgent) {
    alerts.push({ name: 'tokens_per_agent', value: totals.tokensPerAgent, threshold: t.tokensPerAgent, message: `${Math.round(totals.tokensPerAgent)} tokens per agent is over ${t.tokensPerAgent}` });
  }
  return alerts;
}
