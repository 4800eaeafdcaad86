import { addField, recordFields, RequirementRecordSchema, type RequirementRecord } from '@agent-factory/core';
import type { RedisClient } from '../connection.js';
import { foldMetricsScript } from '../scripts/fold-metrics.js';
import { every } from '../periodic.js';
import { HOUR_TTL_SECONDS, metricsKeys, MINUTE_TTL_SECONDS } from './keys.js';

/** Inbox entries added to the aggregates per step. */
const PAGE = 500;
/** Steps per call: a reader never waits on more than this many pages of backlog (workers fold the rest). */
const MAX_PAGES = 40;

interface Target {
  ttl: number;
  fields: Map<string, number>;
}

function add(targets: Map<string, Target>, key: string, ttl: number, fields: ReadonlyMap<string, number>): void {
  let target = targets.get(key);
  if (!target) {
    target = { ttl, fields: new Map() };
    targets.set(key, target);
  }
  target.ttl = Math.max(target.ttl, ttl);
  for (const [field, n] of fields) addField(target.fields, field, n);
}

function parseRecord(json: string): RequirementRecord | undefined {
  try {
    const parsed = RequirementRecordSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A page's counters summed per aggregate hash: its minute, its hour and its batch. */
function sumPage(prefix: string, entries: readonly string[]): Map<string, Target> {
  const keys = metricsKeys(prefix);
  const targets = new Map<string, Target>();
  for (const entry of entries) {
    // An entry is the batch aggregate's TTL (0: none), a tab, the record (scripts/record-metrics.ts).
    // Our own writes; one that does not parse is dropped with its page rather than block the inbox.
    const tab = entry.indexOf('\t');
    const record = tab < 0 ? undefined : parseRecord(entry.slice(tab + 1));
    if (!record) continue;
    const fields = recordFields(record);
    add(targets, keys.minute(record.at), MINUTE_TTL_SECONDS, fields);
    add(targets, keys.hour(record.at), HOUR_TTL_SECONDS, fields);
    const batchTtl = Number(entry.slice(0, tab));
    if (record.batch && batchTtl > 0) add(targets, keys.batch(record.batch), batchTtl, fields);
  }
  return targets;
}

/**
 * Adds the records finished requirements left on the metrics inbox to the minute, hour and batch
 * aggregates, exactly once however many processes fold at the same time; returns how many it added.
 * Workers fold every second; readers fold before they read, so a report counts every requirement
 * finished before it was asked for.
 */
export async function foldMetrics(redis: RedisClient, prefix: string): Promise<number> {
  const { inbox } = metricsKeys(prefix);
  let folded = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const entries = await redis.lrange(inbox, 0, PAGE - 1);
    if (entries.length === 0) break;
    const targets = [...sumPage(prefix, entries)];
    const args: (string | number)[] = [entries.length, entries[0]!];
    for (const [, { ttl, fields }] of targets) args.push(ttl, fields.size, ...[...fields].flat());
    if ((await foldMetricsScript.run(redis, [inbox, ...targets.map(([key]) => key)], args)) === 1) folded += entries.length;
  }
  return folded;
}

/** How often each worker process folds the inbox. */
const FOLD_EVERY_MS = 1000;

/** Folds the inbox every second until closed (then once more), so the aggregates lag by about that; a round that fails goes to `onError`. */
export function watchMetricsInbox(redis: RedisClient, prefix: string, onError: (error: unknown) => void): { close(): Promise<void> } {
  const fold = (): Promise<void> => foldMetrics(redis, prefix).then(() => undefined, onError);
  const rounds = every(FOLD_EVERY_MS, fold);
  return {
    async close() {
      await rounds.close();
      await fold();
    },
  };
}
