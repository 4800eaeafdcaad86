// submitBatch takes items the input checker built (files, API bodies) as they are, and parses
// whatever else a caller hands it: an SDK caller's bad item is refused with its reason.
import { checkRequirementsArray, connect, createLogger, submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

let redis: TestRedis;
let conn: FactoryConnection;

beforeAll(async () => {
  redis = await startRedis({ appendonly: false });
  conn = await connect({ redisUrl: redis.url, prefix: testPrefix() }, { logger: createLogger({}, { level: 'error' }) });
});
afterAll(async () => {
  await conn?.close();
  await redis?.stop();
});

it('refuses a bad item it did not check itself, a changed copy of a checked one included', async () => {
  await expect(submitBatch(conn, [{ id: 'a', requirement: '   ' }])).rejects.toThrow(/the requirement is empty/);
  const { items } = checkRequirementsArray([{ id: 'b', requirement: 'Review Terraform plans for public S3 buckets', tier: 'simple' }]);
  await expect(submitBatch(conn, [{ ...items[0]!, tier: 'huge' as 'simple' }])).rejects.toThrow(/tier|simple/);
  const batch = await submitBatch(conn, items);
  expect(batch).toMatchObject({ inputs: 1, total: 1 });
});
