import { buildReport, type CacheFigures, type MetricsReport } from '@agent-factory/core';
import { getBatch } from '../batches.js';
import { cacheStats } from '../cache-stats.js';
import type { FactoryConnection } from '../connection.js';
import { batchFields, recentRecords, windowFields } from './store.js';

export interface ReportRequest {
  /** One batch (its whole life); otherwise the window below. */
  batch?: string;
  /** Window length, ms (default one hour). */
  sinceMs?: number;
  /** Read the recent log for the troubleshooting examples (default true; gauges and alerts need totals only). */
  examples?: boolean;
  now?: number;
}

/** The cluster-wide cache counters the window's own counters lack. */
async function cacheFigures(conn: FactoryConnection): Promise<CacheFigures> {
  const { analysis } = (await cacheStats(conn.redis, conn.config.prefix)).namespaces;
  return { analysisHits: analysis.memory + analysis.redis };
}

/** The report of a batch or a window, from the counters every process records in Redis. */
export async function metricsReport(conn: FactoryConnection, request: ReportRequest = {}): Promise<MetricsReport | undefined> {
  const { redis, config } = conn;
  const now = request.now ?? Date.now();
  const cache = await cacheFigures(conn);
  if (request.batch) {
    const batch = await getBatch(conn, request.batch);
    if (!batch) return undefined;
    const from = Date.parse(batch.createdAt);
    const to = batch.finishedAt ? Date.parse(batch.finishedAt) : now;
    const [fields, recent] = await Promise.all([batchFields(redis, config.prefix, request.batch), request.examples === false ? [] : recentRecords(redis, config.prefix, { batch: request.batch })]);
    return buildReport(fields, { window: { from, to, batch: request.batch }, recent, cache });
  }
  const { fields, from } = await windowFields(redis, config.prefix, request.sinceMs ?? 3_600_000, now);
  const recent = request.examples === false ? [] : (await recentRecords(redis, config.prefix)).filter((r) => r.at >= from);
  return buildReport(fields, { window: { from, to: now }, recent, cache });
}
