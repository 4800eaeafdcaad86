// The metrics inbox: finished requirements leave their records there (in the finalize step) and
// folding adds them to the minute, hour and batch aggregates exactly once, whoever folds and however
// many fold at the same time. Real redis-server; the records are pushed as the finalize script does.
import { mergeFields, recordFields, type RequirementRecordInput } from '@agent-factory/core';
import { batchFields, connect, createLogger, foldMetrics, metricsKeys, metricsPayload, windowFields, type FactoryConnection } from '@agent-factory/queue';
import { describe, expect, it } from 'vitest';
import { redisPerFile } from './helpers/redis-file.js';
import { testPrefix } from './helpers/redis.js';

const file = redisPerFile();
const quiet = createLogger({}, { level: 'error' });

async function open(prefix: string): Promise<FactoryConnection> {
  const conn = await connect({ redisUrl: file.redis.url, prefix }, { logger: quiet });
  file.defer(() => conn.close());
  return conn;
}

/** A finished requirement's record, spread over three minutes before `now`. */
function record(i: number, now: number, batch: string): RequirementRecordInput {
  return {
    at: now - (i % 3) * 60_000,
    batch,
    key: `k${i}`,
    outcome: i % 10 === 0 ? 'failed' : 'completed',
    ...(i % 10 === 0 ? { error: 'generate: refused' } : { tier: 'standard', complexity: 5, model: 'offline', totalMs: 100 + i }),
    stages: { analyze: { wait: 1, run: 2 }, generate: { wait: 3, run: 40 + (i % 7) } },
    budget: { generation: 800 + i },
  };
}

/** Pushes records on the inbox and the recent log as the finalize script does (scripts/record-metrics.ts). */
async function finish(conn: FactoryConnection, records: RequirementRecordInput[]): Promise<Map<string, number>> {
  const expected = new Map<string, number>();
  const pipeline = conn.redis.pipeline();
  for (const input of records) {
    const payload = metricsPayload(conn.config.prefix, input, { retentionSeconds: 3600 });
    // The entry: the batch aggregate's TTL, a tab, the record.
    pipeline.rpush(payload.keys[1]!, `${payload.args[2]}\t${payload.args[1]}`);
    mergeFields(expected, recordFields(payload.record));
  }
  await pipeline.exec();
  return expected;
}

const asObject = (m: Map<string, number>): Record<string, number> => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)));

describe('the metrics inbox', () => {
  it('is folded exactly once while four processes fold it at the same time', async () => {
    const prefix = testPrefix();
    const conns = await Promise.all([0, 1, 2, 3].map(() => open(prefix)));
    const now = Date.now();
    const records = Array.from({ length: 3000 }, (_, i) => record(i, now, 'b_fold'));
    const expected = await finish(conns[0]!, records);
    const folded = await Promise.all(conns.map((c) => foldMetrics(c.redis, prefix)));
    // Every record added by exactly one of them, and nothing left.
    expect(folded.reduce((a, b) => a + b, 0)).toBe(3000);
    expect(await conns[0]!.redis.llen(metricsKeys(prefix).inbox)).toBe(0);
    expect(asObject(await batchFields(conns[0]!.redis, prefix, 'b_fold'))).toEqual(asObject(expected));
    const { fields } = await windowFields(conns[0]!.redis, prefix, 10 * 60_000, now);
    expect(asObject(fields)).toEqual(asObject(expected));
    // The hour aggregates hold the same counts (one or two hours, by where the three minutes fall).
    const hours = new Set(records.map((r) => metricsKeys(prefix).hour(r.at)));
    let hourN = 0;
    for (const key of hours) hourN += Number((await conns[0]!.redis.hget(key, 'n')) ?? 0);
    expect(hourN).toBe(3000);
    expect(await conns[0]!.redis.ttl(metricsKeys(prefix).batch('b_fold'))).toBeGreaterThan(3000);
  });

  it('is folded by a reader when no worker has done it yet, and a malformed entry does not block it', async () => {
    const prefix = testPrefix();
    const conn = await open(prefix);
    const now = Date.now();
    await conn.redis.rpush(metricsKeys(prefix).inbox, '3600\t{not json', 'no tab at all');
    const expected = await finish(conn, Array.from({ length: 25 }, (_, i) => record(i, now, 'b_read')));
    expect(asObject(await batchFields(conn.redis, prefix, 'b_read'))).toEqual(asObject(expected));
    expect(await conn.redis.llen(metricsKeys(prefix).inbox)).toBe(0);
    // Nothing is counted twice by a second read.
    expect((await batchFields(conn.redis, prefix, 'b_read')).get('n')).toBe(25);
  });
});
