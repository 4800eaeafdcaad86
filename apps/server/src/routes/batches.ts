import { createHash } from 'node:crypto';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { batchResults, cancelUnsettled, countBatches, deleteBatch, generatingNow, getBatch, IdempotencyBusyError, IdempotencyConflictError, listBatches, markCancelled, resumeBatch, ResumeRefusedError, retryBatch, retryRefusal, submitBatch, type BatchSubmission, type FactoryConnection } from '@agent-factory/queue';
import { BackgroundCancels } from '../background-cancels.js';
import { parseBatchRequest } from '../batch-request.js';
import { HttpError, parseQuery, type ErrorLogger } from '../errors.js';
import { refuseOtherMethods } from '../other-methods.js';
import { ClientLimiter, SSE_HEADERS, streamBatchEvents } from '../sse.js';
import { writeJsonArray } from '../stream-json.js';

/** Batch ids are BullMQ-safe tokens (no `:`); anything else cannot name a batch. */
const BatchIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'not a batch id');
const ListQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50), offset: z.coerce.number().int().min(0).default(0) });
/** A page of results (all of them without `limit`): a 100,000-input batch is some 400 MB of JSON. */
const ResultsQuerySchema = z.object({ offset: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).optional() });


function batchId(req: Request): string {
  const parsed = BatchIdSchema.safeParse(req.params['id']);
  if (!parsed.success) throw new HttpError(400, 'invalid_id', `"${String(req.params['id'])}" is not a batch id`);
  return parsed.data;
}

function unknownBatch(id: string): HttpError {
  return new HttpError(404, 'batch_not_found', `no batch ${id} (never submitted, or its retention ended)`);
}

export interface BatchRouteOptions {
  maxSsePerClient: number;
  ssePollMs: number;
  sseHeartbeatMs: number;
  /** Aborted when the server shuts down: open event streams close. */
  signal?: AbortSignal;
  logger?: ErrorLogger;
}

/** The request's JSON body. Requiring JSON also shuts out cross-site form posts, which cannot send this type without CORS. */
function jsonBody(req: Request): unknown {
  const hasBody = req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? 0) > 0;
  if (!hasBody) throw new HttpError(400, 'empty_body', 'the request body is empty: send a JSON array of requirements, or {"requirements": [...]}');
  if (!req.is('application/json')) throw new HttpError(415, 'unsupported_media_type', 'send the body as Content-Type: application/json');
  return req.body;
}

/**
 * A resume that cannot go ahead (another body, a live submit, a cancelled batch) is the client's to
 * fix: 409; a reused idempotency key, 422; a key other requests keep claiming at this moment, 409 (a
 * retry answers their batch).
 */
async function refusingResume<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof ResumeRefusedError) throw new HttpError(409, 'resume_refused', error.message);
    if (error instanceof IdempotencyConflictError) throw new HttpError(422, 'idempotency_key_reused', error.message);
    if (error instanceof IdempotencyBusyError) throw new HttpError(409, 'idempotency_key_busy', error.message);
    throw error;
  }
}

/** What a POST asked for, whatever its key: the same key with another body is refused. */
function fingerprintOf(items: unknown, submission: BatchSubmission): string {
  const { idempotencyKey: _key, ...settings } = submission;
  return createHash('sha256').update(JSON.stringify([items, settings])).digest('base64url');
}

/** REST for batches, mounted at /api/batches. Auth (and the viewer's read-only rule) runs before it. */
export function batchRoutes(conn: FactoryConnection, options: BatchRouteOptions): Router {
  const router = Router();
  const sseClients = new ClientLimiter(options.maxSsePerClient);
  const cancels = new BackgroundCancels(conn, options.signal, options.logger);

  router.post('/', async (req, res) => {
    const { items, submission } = parseBatchRequest(jsonBody(req), req.get('idempotency-key'));
    let replayed = false;
    const fingerprint = submission.idempotencyKey === undefined ? {} : { fingerprint: fingerprintOf(items, submission) };
    const status = await refusingResume(submitBatch(conn, items, { ...submission, ...fingerprint, expectedInputs: items.length, via: 'api' }, undefined, { onReplay: () => (replayed = true) }));
    // A replay answers the batch the key made (200); only a new batch is 201 Created.
    res.status(replayed ? 200 : 201).location(`${req.baseUrl}/${encodeURIComponent(status.id)}`).json(status);
  });

  // A batch whose submit was interrupted (the server died mid-POST): the same body again enqueues the rest.
  router.post('/:id/resume', async (req, res) => {
    const id = batchId(req);
    const { items } = parseBatchRequest(jsonBody(req), undefined);
    if (!(await getBatch(conn, id))) throw unknownBatch(id);
    const outcome = await refusingResume(resumeBatch(conn, id, items, { expectedInputs: items.length }));
    res.json(outcome);
  });

  // A finished batch's failed requirements run again in the same batch (`retry`).
  router.post('/:id/retry', async (req, res) => {
    const id = batchId(req);
    const outcome = await retryBatch(conn, id);
    if (outcome.outcome === 'unknown') throw unknownBatch(id);
    if (outcome.outcome !== 'retried') throw new HttpError(409, `batch_${outcome.outcome}`, retryRefusal(outcome.outcome, id));
    res.json({ retried: outcome.retried, remaining: outcome.remaining, status: await getBatch(conn, id) });
  });

  // Newest first; X-Total-Count says how many there are to page through with offset.
  router.get('/', async (req, res) => {
    const { limit, offset } = parseQuery(ListQuerySchema, req.query);
    const [batches, count] = await Promise.all([listBatches(conn, limit, offset), countBatches(conn)]);
    res.set('X-Total-Count', String(count)).json(batches);
  });

  router.get('/:id', async (req, res) => {
    const id = batchId(req);
    const status = await getBatch(conn, id);
    if (!status) throw unknownBatch(id);
    res.json(status);
  });

  // In input order; X-Total-Count is the batch's input ids, to page through with offset and limit.
  router.get('/:id/results', async (req, res) => {
    const id = batchId(req);
    const page = parseQuery(ResultsQuerySchema, req.query);
    const status = await getBatch(conn, id);
    if (!status) throw unknownBatch(id);
    res.set('X-Total-Count', String(status.inputs));
    try {
      await writeJsonArray(res, batchResults(conn, id, page));
    } catch (error) {
      if (!res.headersSent) throw error;
      options.logger?.error({ err: error, batch: id }, 'results stream failed');
      res.destroy(); // a truncated body, never a short but valid-looking array
    }
  });

  // Cancelled at once (workers abort its running jobs); its queued items end after the answer: 202
  // while they do. A batch already ended answers its status (200); one whose cancel was cut short is
  // finished now.
  router.delete('/:id', async (req, res) => {
    const id = batchId(req);
    const status = await markCancelled(conn, id);
    if (!status) throw unknownBatch(id);
    if (!cancelUnsettled(status)) {
      res.json(status);
      return;
    }
    cancels.start(id);
    res.status(202).json(status);
  });

  // Results collected: the finished batch leaves Redis now rather than at the end of its retention.
  router.delete('/:id/results', async (req, res) => {
    const id = batchId(req);
    const outcome = await deleteBatch(conn, id);
    if (outcome === 'unknown') throw unknownBatch(id);
    if (outcome === 'unfinished') throw new HttpError(409, 'batch_not_finished', `batch ${id} has not finished: its results are not all in; delete them once it has`);
    res.json({ id, deleted: true });
  });

  router.get('/:id/events', async (req, res) => {
    const id = batchId(req);
    const release = sseClients.acquire(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    if (!release) throw new HttpError(429, 'too_many_streams', `at most ${options.maxSsePerClient} event streams per client; close one first`);
    // From now on: a client gone while the batch is still being read must not keep its slot.
    res.once('close', release);
    let initial;
    try {
      initial = await getBatch(conn, id);
    } catch (error) {
      release();
      throw error;
    }
    if (!initial) {
      release();
      throw unknownBatch(id);
    }
    if (res.destroyed) return;
    // HEAD asks for the headers only, which Node sends with the response's end: a stream would hold them until the batch ends.
    if (req.method === 'HEAD') {
      res.writeHead(200, SSE_HEADERS).end();
      return;
    }
    streamBatchEvents(res, {
      initial,
      poll: () => getBatch(conn, id),
      pollGenerating: () => generatingNow(conn, id),
      pollMs: options.ssePollMs,
      heartbeatMs: options.sseHeartbeatMs,
      onClose: release,
      signal: options.signal,
    });
  });

  refuseOtherMethods(router);
  return router;
}
