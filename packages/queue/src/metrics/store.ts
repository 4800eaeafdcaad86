import { mergeFields, RequirementRecordSchema, type BuildReportOptions, type MetricsReport, type RequirementRecord, type RequirementRecordInput } from '@agent-factory/core';
import type { RedisClient } from '../connection.js';
import { durationMs } from '../duration.js';
import { writeRefusalOf } from '../redis-saving.js';
import { foldMetrics } from './fold.js';
import { HOUR_MS, hourOf, metricsKeys, MINUTE_MS, minuteOf, RECENT_MAX } from './keys.js';

export interface RecordOptions {
  /** How long the batch's aggregate lives (the batch's own retention). */
  retentionSeconds: number;
}

/** A record with the keys and arguments of the Lua that stores it (scripts/record-metrics.ts). */
export interface MetricsPayload {
  record: RequirementRecord;
  keys: string[];
  args: (string | number)[];
}

/** What storing one finished requirement takes: the finalize script's metrics keys and arguments. */
export function metricsPayload(prefix: string, input: RequirementRecordInput, options: RecordOptions): MetricsPayload {
  return builtPayload(prefix, RequirementRecordSchema.parse(input), options);
}

/**
 * metricsPayload for a record built whole by this code, typed as the schema's output with every
 * default filled (completedRecord, whose test checks that parsing it changes nothing): not parsed
 * again, which cost a worker some 35 µs a requirement. Records read back from Redis, whoever wrote
 * them, are still parsed: the fold and the readers guard that boundary.
 */
export function builtPayload(prefix: string, record: RequirementRecord, options: RecordOptions): MetricsPayload {
  const keys = metricsKeys(prefix);
  const json = JSON.stringify(record);
  return {
    record,
    keys: [keys.recent, keys.inbox],
    args: [RECENT_MAX, json, record.batch ? options.retentionSeconds : 0],
  };
}

/** Parses `90s`, `15m`, `1h`, `7d` into milliseconds. */
export function parseSince(text: string): number {
  const ms = durationMs(text);
  if (ms === undefined) throw new Error(`"${text}" is not a duration like 15m, 1h or 7d`);
  if (ms <= 0) throw new Error(`"${text}": a window must be longer than nothing, like 15m`);
  if (ms > 30 * 24 * HOUR_MS) throw new Error(`"${text}": the metrics keep at most 30 days`);
  return ms;
}

/** Windows up to this long add minute aggregates; longer ones hour aggregates (minutes are kept a day). */
const MINUTES_UP_TO_MS = 6 * HOUR_MS;

async function sumHashes(redis: RedisClient, keys: readonly string[]): Promise<Map<string, number>> {
  const total = new Map<string, number>();
  // Pipelined in slices: a 6-hour window is 360 hashes.
  for (let i = 0; i < keys.length; i += 100) {
    const replies = await Promise.all(keys.slice(i, i + 100).map((key) => redis.hgetall(key)));
    for (const fields of replies) mergeFields(total, fields);
  }
  return total;
}

/**
 * Readers fold the inbox before they read. A Redis that refuses the fold's writes (it cannot save to
 * disk: MISCONF; a full one runs the fold, allow-oom) is read as folded so far: the inbox's records
 * count once it takes writes again, and the dashboard and reports still answer meanwhile.
 */
async function foldBeforeReading(redis: RedisClient, prefix: string): Promise<void> {
  await foldMetrics(redis, prefix).catch((error: unknown) => {
    if (!writeRefusalOf(error)) throw error;
  });
}

/** The counters of the last `sinceMs` (whole minutes or hours, the current one included). */
export async function windowFields(redis: RedisClient, prefix: string, sinceMs: number, now = Date.now()): Promise<{ fields: Map<string, number>; from: number }> {
  const keys = metricsKeys(prefix);
  const byMinute = sinceMs <= MINUTES_UP_TO_MS;
  const step = byMinute ? MINUTE_MS : HOUR_MS;
  const from = byMinute ? minuteOf(now - sinceMs + MINUTE_MS) : hourOf(now - sinceMs + HOUR_MS);
  await foldBeforeReading(redis, prefix);
  const names: string[] = [];
  for (let t = from; t <= now; t += step) names.push(byMinute ? keys.minute(t) : keys.hour(t));
  return { fields: await sumHashes(redis, names), from };
}

/** A batch's counters (kept as long as the batch). */
export async function batchFields(redis: RedisClient, prefix: string, batchId: string): Promise<Map<string, number>> {
  await foldBeforeReading(redis, prefix);
  return sumHashes(redis, [metricsKeys(prefix).batch(batchId)]);
}

/** The newest records of the recent log, optionally of one batch. */
export async function recentRecords(redis: RedisClient, prefix: string, options: { batch?: string; limit?: number } = {}): Promise<RequirementRecord[]> {
  const raw = await redis.lrange(metricsKeys(prefix).recent, 0, RECENT_MAX - 1);
  const out: RequirementRecord[] = [];
  for (const line of raw) {
    const parsed = RequirementRecordSchema.safeParse(JSON.parse(line));
    if (parsed.success && (!options.batch || parsed.data.batch === options.batch)) out.push(parsed.data);
    if (options.limit !== undefined && out.length >= options.limit) break;
  }
  return out;
}

export type { BuildReportOptions, MetricsReport };
