// What every fault case stands on: its own Redis, a fleet of worker processes and a producer connection.
import { connect, createLogger, type FactoryConnection } from '@agent-factory/queue';
import { testPrefix, type TestRedis } from '../helpers/redis.js';
import { faultEnv, Fleet } from './fleet.js';

export interface FaultRig {
  prefix: string;
  fleet: Fleet;
  conn: FactoryConnection;
  /** Stops the workers, closes the connection, runs `more` (the case's own servers), then stops Redis. */
  stop(...more: (() => Promise<unknown> | undefined)[]): Promise<void>;
}

/** A fleet (no process started yet: the case grows it) with the shared fault settings plus `env`, and a connection. */
export async function startRig(redis: TestRedis, env: NodeJS.ProcessEnv = {}): Promise<FaultRig> {
  const prefix = testPrefix();
  const fleet = new Fleet(faultEnv(redis.url, prefix, env));
  const conn = await connect({ redisUrl: redis.url, prefix }, { logger: createLogger({}, { level: 'error' }) });
  return {
    prefix,
    fleet,
    conn,
    async stop(...more) {
      await fleet.stopAll();
      await conn.close();
      for (const close of more) await close();
      await redis.stop();
    },
  };
}
