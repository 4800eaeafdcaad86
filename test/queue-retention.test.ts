import { connect, createLogger, KEEP_COMPLETED, STAGES, startWorkers, submitBatch } from '@agent-factory/queue';
import { describe, expect, it } from 'vitest';
import { syntheticRequirements } from '../bench/synthetic.js';
import { waitForBatch } from './helpers/queue-workers.js';
import { startRedis, testPrefix } from './helpers/redis.js';

const quiet = createLogger({}, { level: 'error' });

describe('completed stage jobs', () => {
  it('stay for Bull Board up to their bound, trimmed by the workers', async () => {
    const redis = await startRedis({ appendonly: false });
    const prefix = testPrefix();
    const conn = await connect({ redisUrl: redis.url, prefix }, { logger: quiet });
    const workerConn = await connect({ redisUrl: redis.url, prefix }, { role: 'worker', logger: quiet });
    const pool = await startWorkers(workerConn, { stages: STAGES, concurrency: {}, deps: {}, logger: quiet });
    try {
      const n = KEEP_COMPLETED.count + 150;
      const batch = await submitBatch(conn, syntheticRequirements(n, 21).map((requirement, i) => ({ id: `r${i}`, requirement })), { name: 'retention' });
      const done = await waitForBatch(conn, batch.id, 90_000);
      expect(done.counts.completed).toBe(n);
      for (const stage of STAGES) {
        const { completed } = await conn.queues[stage].getJobCounts('completed');
        expect(completed, stage).toBe(KEEP_COMPLETED.count);
      }
    } finally {
      await pool.close();
      await workerConn.close();
      await conn.close();
      await redis.stop();
    }
  }, 120_000);
});
