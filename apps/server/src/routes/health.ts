import { Router } from 'express';
import type { FactoryConnection } from '@agent-factory/queue';

/** Resolves true when Redis answers PING within `ms`; a pending command is abandoned, not awaited. */
async function redisAnswers(conn: FactoryConnection, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    const ping = conn.redis.ping().then(
      (reply) => reply === 'PONG',
      () => false,
    );
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** /healthz: the process is up (liveness). /readyz: Redis answers (readiness). Both open, no auth. */
export function healthRoutes(conn: FactoryConnection, readyTimeoutMs: number): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (await redisAnswers(conn, readyTimeoutMs)) res.json({ status: 'ready' });
    else res.status(503).json({ status: 'unavailable', error: { code: 'redis_unavailable', message: `Redis did not answer PING within ${readyTimeoutMs} ms` } });
  });
  return router;
}
