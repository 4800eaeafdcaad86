import { Router } from 'express';
import { redisHealth, type FactoryConnection } from '@agent-factory/queue';
import { refuseOtherMethods } from '../other-methods.js';

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
    const health = await redisHealth(conn, readyTimeoutMs);
    if (!health.up) res.status(503).json({ status: 'unavailable', error: { code: 'redis_unavailable', message: health.message } });
    else if (health.refusals[0]) res.json({ status: 'ready', warning: health.refusals[0] });
    else res.json({ status: 'ready' });
  });
  refuseOtherMethods(router);
  return router;
}
