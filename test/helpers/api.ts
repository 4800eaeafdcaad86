import { connect, STAGES, type FactoryConnection } from '@agent-factory/queue';
import { startServer, type RunningServer, type ServerOptions } from '../../apps/server/src/index.js';
import { startRedis, testPrefix, type TestRedis } from './redis.js';

export const API_TOKEN = 'api-token-0123456789abcdef';
export const VIEWER_TOKEN = 'viewer-token-0123456789abcdef';
export const adminAuth = { authorization: `Bearer ${API_TOKEN}` };
export const viewerAuth = { authorization: `Bearer ${VIEWER_TOKEN}` };

/** Every error the API answers with. */
export interface ErrorJson {
  error: { code: string; message: string; details?: { index?: number; field?: string; reason: string }[] };
}

/** A private Redis, a connection under a fresh prefix and a server on a free port, with both tokens set. */
export interface TestApi {
  redis: TestRedis;
  prefix: string;
  conn: FactoryConnection;
  server: RunningServer;
  url: string;
  close(): Promise<void>;
}

/** Starts the API the way `serve` does (tokens on, default limits unless `options` says otherwise). */
export async function startTestApi(options: Partial<ServerOptions> = {}): Promise<TestApi> {
  const redis = await startRedis();
  const prefix = testPrefix();
  const conn = await connect({ redisUrl: redis.url, prefix });
  const server = await startServer(conn, { host: '127.0.0.1', port: 0, apiToken: API_TOKEN, viewerToken: VIEWER_TOKEN, ...options });
  return {
    redis,
    prefix,
    conn,
    server,
    url: server.url,
    async close() {
      await server.close(1000);
      await conn.close();
      await redis.stop();
    },
  };
}

/** POST /api/batches with the API token; `body` goes out byte for byte. */
export function postBatch(url: string, body: string | Uint8Array, contentType = 'application/json', headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/api/batches`, { method: 'POST', headers: { ...adminAuth, 'content-type': contentType, ...headers }, body });
}

/** Keys under the prefix other than BullMQ's queue metadata: batches, items, jobs, idempotency keys. */
export async function dataKeys(conn: FactoryConnection): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await conn.redis.scan(cursor, 'MATCH', `${conn.config.prefix}*`, 'COUNT', 1000);
    keys.push(...batch.filter((k) => !k.endsWith(':meta')));
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/** Jobs of every state in every stage queue, summed. */
export async function jobsInStages(conn: FactoryConnection): Promise<number> {
  let total = 0;
  for (const stage of STAGES) {
    const counts = await conn.queues[stage].getJobCounts();
    total += Object.values(counts).reduce((a, b) => a + b, 0);
  }
  return total;
}
