import { Router } from 'express';
import { z } from 'zod';
import { batchOverview, cacheStats, cannotSaveMessage, fullMaster, loadAlertState, metricsReport, parseSince, PromMetrics, queueDepths, recentRecords, redisFullMessage, unsavedMaster, type FactoryConnection } from '@agent-factory/queue';
import { HttpError, parseQuery } from '../errors.js';
import { refuseOtherMethods } from '../other-methods.js';

/** A BullMQ queue, typed through the connection's (the server does not depend on bullmq itself). */
type Queue = FactoryConnection['queues'][keyof FactoryConnection['queues']];

const ReportQuerySchema = z.object({
  batch: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'not a batch id').optional(),
  since: z.string().default('1h'),
});

/** What the dashboard shows: its window is short, so the page says what is happening now. */
const DASHBOARD_WINDOW = '15m';
/** Running and interrupted batches listed at most (the rest are counted), and finished ones after them. */
const UNFINISHED_SHOWN = 50;
const RECENT_SHOWN = 10;

/**
 * /metrics for Prometheus (the cluster's queues and last minutes), and the report as JSON under /api.
 * `others`: the queues besides the stages' whose depths both show (webhooks, llm-batches).
 */
export function metricsRoutes(conn: FactoryConnection, others: readonly Queue[] = []): { prometheus: Router; api: Router } {
  const prom = new PromMetrics(conn, { cluster: true, queues: others });
  const prometheus = Router();
  prometheus.get('/metrics', async (_req, res) => {
    res.type(prom.contentType).send(await prom.metrics());
  });

  const api = Router();
  api.get('/report', async (req, res) => {
    const query = parseQuery(ReportQuerySchema, req.query);
    let sinceMs: number;
    try {
      sinceMs = parseSince(query.since);
    } catch (error) {
      throw new HttpError(400, 'invalid_query', `since: ${(error as Error).message}`);
    }
    const report = await metricsReport(conn, { ...(query.batch ? { batch: query.batch } : {}), sinceMs });
    if (!report) throw new HttpError(404, 'batch_not_found', `no batch ${query.batch} (never submitted, or its retention ended)`);
    res.json(report);
  });
  api.get('/dashboard', async (_req, res) => {
    const [report, overview, queues, cache, recent, alerts, full, unsaved] = await Promise.all([
      // The page shows no troubleshooting examples: the recent log is read once, below, for its failures.
      metricsReport(conn, { sinceMs: parseSince(DASHBOARD_WINDOW), examples: false }),
      batchOverview(conn, { unfinishedLimit: UNFINISHED_SHOWN, recentLimit: RECENT_SHOWN }),
      queueDepths(conn, others),
      cacheStats(conn.redis, conn.config.prefix),
      recentRecords(conn.redis, conn.config.prefix, { limit: 500 }),
      loadAlertState(conn),
      fullMaster(conn.redis),
      unsavedMaster(conn.redis),
    ]);
    const failures = recent.filter((r) => r.outcome === 'failed').slice(0, 10).map((r) => ({ at: r.at, batch: r.batch, error: r.error }));
    // alerts: null when no server checked lately (nothing to say either way).
    // batches: every unfinished one first (a long batch stays in view), then the newest finished ones.
    const batches = [...overview.unfinished, ...overview.recent];
    // redisFull: null unless Redis is at its maxmemory, where it refuses every write and no batch moves.
    const redisFull = full ? { ...full, message: redisFullMessage(full) } : null;
    // redisCannotSave: null unless a master's last disk write failed, after which it refuses writes (MISCONF).
    const redisCannotSave = unsaved ? { ...unsaved, message: cannotSaveMessage(unsaved, conn.redis.isCluster) } : null;
    res.json({ window: DASHBOARD_WINDOW, report, batches, batchCounts: overview.counts, queues, cache, failures, alerts: alerts ?? null, redisFull, redisCannotSave });
  });
  refuseOtherMethods(prometheus);
  refuseOtherMethods(api);
  return { prometheus, api };
}
