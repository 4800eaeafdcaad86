import { Router } from 'express';
import { redisRefusingWrites, type FactoryConnection, type WriteRefusal } from '@agent-factory/queue';
import { refuseOtherMethods } from '../other-methods.js';

type Problem = WriteRefusal | { code: 'redis_unavailable'; message: string };

const unavailable = (message: string): Problem => ({ code: 'redis_unavailable', message });

/**
 * Undefined when the Redis node holding the factory's keys answers within `ms` and no master refuses
 * writes (at its maxmemory, or unable to save: nothing can be submitted or run), else what is wrong; a
 * pending command is abandoned, not awaited. EXISTS on a key under the prefix, not PING: on a
 * Cluster, PING goes to any node, and another node answering says nothing of the one we need.
 */
async function redisProblem(conn: FactoryConnection, ms: number): Promise<Problem | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Problem>((resolve) => {
    timer = setTimeout(() => resolve(unavailable(`Redis did not answer within ${ms} ms`)), ms);
  });
  try {
    const probe = conn.redis
      .exists(`${conn.config.prefix}:readyz`)
      .then(() => redisRefusingWrites(conn.redis))
      .then(
        (refusal): Problem | undefined => refusal,
        (error: unknown) => unavailable(`Redis is not answering: ${error instanceof Error ? error.message : String(error)}`),
      );
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * /healthz: the process is up (liveness). /readyz: Redis answers (readiness); a Redis that refuses
 * writes (full, or unable to save) is said as a warning, still 200: the server is then what makes room
 * (cancel, `results --delete` over the API, the dashboard that says so) and tells why nothing moves,
 * and a 503 would take it out of its load balancer's rotation.
 * Both open, no auth.
 */
export function healthRoutes(conn: FactoryConnection, readyTimeoutMs: number): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const problem = await redisProblem(conn, readyTimeoutMs);
    if (problem === undefined) res.json({ status: 'ready' });
    else if (problem.code === 'redis_unavailable') res.status(503).json({ status: 'unavailable', error: problem });
    else res.json({ status: 'ready', warning: problem });
  });
  refuseOtherMethods(router);
  return router;
}
