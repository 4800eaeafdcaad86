import { fileURLToPath } from 'node:url';
import express, { Router, type Express } from 'express';
import { openCollectorQueue, openWebhookQueue, STAGES, type FactoryConnection } from '@agent-factory/queue';
import { authenticate } from './auth.js';
import { bullBoards } from './bull-board.js';
import { errorHandler, notFound } from './errors.js';
import { checkServerOptions, DEFAULT_BODY_LIMIT, type ServerOptions } from './options.js';
import { batchRoutes } from './routes/batches.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { BOARD_PATH, refuseCrossSiteWrites, securityHeaders } from './security.js';

/** The dashboard's static files, shipped beside dist/. */
const DASHBOARD_DIR = fileURLToPath(new URL('../dashboard/', import.meta.url));

/**
 * The HTTP surface: /healthz and /readyz (open), then auth, then Bull Board at /admin/queues and the
 * REST API under /api. Binding is startServer's job; this only builds the app (tests mount it too).
 */
export function createServer(conn: FactoryConnection, options: ServerOptions): Express {
  checkServerOptions(options);
  const app = express();
  app.disable('x-powered-by');
  if (options.trustProxy !== undefined) app.set('trust proxy', options.trustProxy);
  app.use(securityHeaders());
  app.use(healthRoutes(conn, options.readyTimeoutMs ?? 1000));
  app.use(refuseCrossSiteWrites());

  app.use(authenticate(options));
  // The dashboard: one static page (its script polls /api/dashboard) next to the Bull Board link.
  app.get('/', (_req, res) => res.sendFile('index.html', { root: DASHBOARD_DIR }));
  app.use('/dashboard', express.static(DASHBOARD_DIR, { index: false }));
  // The stage queues, the Message Batches collector's queue (a batch in flight is a job there) and the
  // batch webhooks' (a finished batch's delivery is a job there).
  const collector = openCollectorQueue(conn);
  const ownQueues = [collector, openWebhookQueue(conn)];
  options.signal?.addEventListener('abort', () => void Promise.all(ownQueues.map((q) => q.close())).catch(() => undefined), { once: true });
  const metrics = metricsRoutes(conn, ownQueues);
  app.use(metrics.prometheus);
  const stageQueues = STAGES.map((stage) => conn.queues[stage]);
  // The collector's jobs are steps of batches too (a Message Batch in flight): read-only as the stages.
  app.use(BOARD_PATH, bullBoards([...stageQueues, ...ownQueues], new Set([...stageQueues, collector].map((q) => q.name)), () => conn.redis.status === 'ready'));

  const api = Router();
  // Parsed only here: Bull Board has its own parser, and nothing else takes a body.
  api.use(express.json({ limit: options.bodyLimit ?? DEFAULT_BODY_LIMIT, strict: true }));
  api.use(
    '/batches',
    batchRoutes(conn, {
      maxSsePerClient: options.maxSsePerClient ?? 5,
      ssePollMs: options.ssePollMs ?? 500,
      sseHeartbeatMs: options.sseHeartbeatMs ?? 15_000,
      signal: options.signal,
      logger: options.logger,
    }),
  );
  api.use(metrics.api);
  app.use('/api', api);

  app.use(notFound);
  app.use(errorHandler(options.logger));
  return app;
}
