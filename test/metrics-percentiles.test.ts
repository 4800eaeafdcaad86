// The report's percentiles, from the aggregated counters as every process writes and folds them:
// plausible next to the averages and never above what was observed, aggregates of older workers
// (bucket fields by index) included.
import { buildReport, crossedThresholds, mergeFields, recordFields, RequirementRecordSchema, type MetricsReport, type RequirementRecordInput } from '@agent-factory/core';
import { describe, expect, it } from 'vitest';

const NOW = Date.UTC(2026, 0, 1, 12);

/** A completed offline requirement with these stage run times and end-to-end time (ms). */
function completed(i: number, run: number, totalMs: number): RequirementRecordInput {
  const stage = { wait: 1, run };
  return { at: NOW, key: `k${i}`, outcome: 'completed', tier: 'standard', model: 'offline', mode: 'offline', totalMs, stages: { analyze: stage, research: stage, generate: stage, validate: stage } };
}

function report(records: RequirementRecordInput[], extra: Record<string, number> = {}): MetricsReport {
  const fields = new Map<string, number>();
  // Folded in two halves, as two minutes' aggregates are merged into one window.
  const half = Math.ceil(records.length / 2);
  for (const part of [records.slice(0, half), records.slice(half)]) {
    const minute = new Map<string, number>();
    for (const r of part) mergeFields(minute, recordFields(RequirementRecordSchema.parse(r)));
    mergeFields(fields, minute);
  }
  mergeFields(fields, extra);
  return buildReport(fields, { window: { from: NOW - 300_000, to: NOW } });
}

describe('percentiles in the report', () => {
  it('puts a stage run p95 near runs of a few milliseconds, not at the edge of a 50 ms bucket', () => {
    // 100 requirements whose stages run 3 to 7 ms, as the offline generator's do.
    const r = report(Array.from({ length: 100 }, (_, i) => completed(i, 3 + (i % 5), 1000)));
    for (const stage of r.stages) {
      expect(stage.runAvgMs).toBeCloseTo(5, 5);
      expect(stage.runP95Ms).toBeGreaterThanOrEqual(5);
      expect(stage.runP95Ms).toBeLessThanOrEqual(7);
    }
  });

  it('never puts a p95 above the longest time observed', () => {
    // A batch submitted at once: end-to-end times spread evenly up to 167 s.
    const r = report(Array.from({ length: 1000 }, (_, i) => completed(i, 5, 167 * (i + 1))));
    expect(r.totals.timeP95Ms).toBeLessThanOrEqual(167_000);
    // The true p95 is 158.7 s.
    expect(r.totals.timeP95Ms).toBeGreaterThan(155_000);
    expect(r.totals.timeP95Ms).toBeLessThan(162_000);
    expect(r.tiers[0]!.timeP95Ms).toBeLessThanOrEqual(167_000);
  });

  it('reads the aggregates older workers wrote (bucket fields by index) into the buckets they meant', () => {
    // Older workers: index 0 was 0–50 ms, index 11 was 120–300 s.
    const old = buildReport(new Map([['n', 20], ['o|completed', 20], ['s|generate|n', 20], ['s|generate|h0', 20], ['all|h11', 20]]), { window: { from: NOW - 300_000, to: NOW } });
    expect(old.stages[0]!.runP95Ms).toBeGreaterThan(20);
    expect(old.stages[0]!.runP95Ms).toBeLessThanOrEqual(50);
    expect(old.totals.timeP95Ms).toBeGreaterThan(120_000);
    expect(old.totals.timeP95Ms).toBeLessThanOrEqual(300_000);
    // Mixed with newer counts in one window: the old ones still count where they belong.
    const mixed = report(Array.from({ length: 20 }, (_, i) => completed(i, 3, 1000)), { 'all|h11': 20 });
    expect(mixed.totals.timeP95Ms).toBeGreaterThan(120_000);
  });
});

describe('the p95 alert', () => {
  const thresholds = { errorRate: 0.05, p95Ms: 120_000, tokensPerAgent: 8000 };

  it('stays quiet for a large batch queued at once whose requirements each ran briefly', () => {
    // Waited up to 286 s in the queues (the batch's duration), ran some 20 ms each.
    const r = report(Array.from({ length: 1000 }, (_, i) => completed(i, 5, 286 * (i + 1))));
    expect(r.totals.timeP95Ms).toBeGreaterThan(thresholds.p95Ms);
    expect(crossedThresholds(r, thresholds)).toEqual([]);
  });

  it('fires when processing itself is slow, and says what it measured', () => {
    // Generation ran 150 s (a slow provider).
    const r = report(Array.from({ length: 20 }, (_, i) => ({ ...completed(i, 5, 200_000), mode: 'realtime' as const, stages: { analyze: { wait: 0, run: 5 }, generate: { wait: 0, run: 150_000 } } })));
    const [alert] = crossedThresholds(r, thresholds);
    expect(alert).toMatchObject({ name: 'p95_time', threshold: 120_000 });
    expect(alert!.value).toBeGreaterThan(120_000);
    expect(alert!.value).toBeLessThanOrEqual(150_005);
    expect(alert!.message).toMatch(/^p95 processing time per requirement \d+ ms is over 120000 ms \(its stages' run time, queue waits excluded/);
  });
});
