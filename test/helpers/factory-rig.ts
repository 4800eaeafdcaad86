import { connect, createLogger, STAGES, startWorkers, type FactoryConnection, type QueueConfig, type StartWorkersOptions, type WorkerPool } from '@agent-factory/queue';
import { afterAll, beforeAll } from 'vitest';
import { spawnWorker, type WorkerProcess } from './queue-workers.js';
import { startRedis, type TestRedis } from './redis.js';

export const quiet = createLogger({}, { level: 'error' });

/**
 * A test file's own Redis (started before its tests, AOF off) and the connections, in-process worker
 * pools and worker processes its tests open, all closed after them (the workers first, Redis last).
 */
export function factoryRig() {
  let redis: TestRedis | undefined;
  const conns: FactoryConnection[] = [];
  const pools: WorkerPool[] = [];
  const processes: WorkerProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis({ appendonly: false });
  });
  afterAll(async () => {
    await Promise.all(processes.map((w) => w.stop()));
    await Promise.all(pools.map((p) => p.close()));
    await Promise.all(conns.map((c) => c.close()));
    await redis?.stop();
  });
  const rig = {
    get redis(): TestRedis {
      if (!redis) throw new Error('the rig\'s Redis starts before the tests');
      return redis;
    },
    /** A connection under `prefix`, closed after the file's tests. */
    async open(prefix: string, config: Partial<QueueConfig> = {}): Promise<FactoryConnection> {
      const conn = await connect({ redisUrl: rig.redis.url, prefix, ...config }, { logger: quiet });
      conns.push(conn);
      return conn;
    },
    /** Workers in this process on their own connection (every stage, the offline generator, unless told otherwise). */
    async workers(prefix: string, options: Partial<StartWorkersOptions> = {}, config: Partial<QueueConfig> = {}): Promise<WorkerPool> {
      const pool = await startWorkers(await rig.open(prefix, config), { stages: STAGES, concurrency: {}, deps: {}, logger: quiet, ...options });
      pools.push(pool);
      return pool;
    },
    /** A worker process (`agent-factory worker`) on the rig's Redis, with `env` on top (AF_PREFIX, the provider…). */
    async spawn(env: NodeJS.ProcessEnv): Promise<WorkerProcess> {
      const worker = await spawnWorker({ REDIS_URL: rig.redis.url, ...env });
      processes.push(worker);
      return worker;
    },
  };
  return rig;
}
