import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BatchStore } from './batch-store.js';
import { ApiError } from './errors.js';
import { readJson, sendJson, writable } from './http.js';
import { BatchCreateBodySchema, parseBody } from './request-schema.js';
import type { SimState } from './state.js';

/** `POST /v1/messages/batches`: custom_ids checked now, params when the batch is processed. */
export async function handleCreateBatch(state: SimState, store: BatchStore, req: IncomingMessage, res: ServerResponse, origin: string): Promise<void> {
  const body = parseBody(BatchCreateBodySchema, await readJson(req, state.options.batch.maxBytes));
  sendJson(res, 200, store.view(store.create(body), origin));
}

/** `GET /v1/messages/batches/:id`. */
export async function handleRetrieveBatch(store: BatchStore, id: string, res: ServerResponse, origin: string): Promise<void> {
  sendJson(res, 200, store.view(await store.get(id), origin));
}

/** `POST /v1/messages/batches/:id/cancel`. */
export async function handleCancelBatch(store: BatchStore, id: string, res: ServerResponse, origin: string): Promise<void> {
  sendJson(res, 200, store.view(await store.cancel(id), origin));
}

/** `DELETE /v1/messages/batches/:id` (ended batches only). */
export async function handleDeleteBatch(store: BatchStore, id: string, res: ServerResponse): Promise<void> {
  await store.delete(id);
  sendJson(res, 200, { id, type: 'message_batch_deleted' });
}

/** `GET /v1/messages/batches?limit&after_id&before_id`: a page, newest first. */
export function handleListBatches(store: BatchStore, url: URL, res: ServerResponse, origin: string): void {
  const limit = Number(url.searchParams.get('limit') ?? 20);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ApiError(400, 'limit: must be an integer between 1 and 1000');
  let all = store.list();
  const after = url.searchParams.get('after_id');
  const before = url.searchParams.get('before_id');
  if (after) all = all.slice(all.findIndex((b) => b.id === after) + 1);
  if (before) all = all.slice(0, Math.max(0, all.findIndex((b) => b.id === before)));
  const page = all.slice(0, limit);
  sendJson(res, 200, {
    data: page.map((b) => store.view(b, origin)),
    has_more: all.length > page.length,
    first_id: page[0]?.id ?? null,
    last_id: page.at(-1)?.id ?? null,
  });
}

/** `GET /v1/messages/batches/:id/results`: JSONL, one line per request, in no fixed order. */
export async function handleBatchResults(store: BatchStore, id: string, res: ServerResponse): Promise<void> {
  const batch = await store.get(id);
  if (!batch.results) throw new ApiError(400, `Message Batch ${id} has not ended yet; its results are available once processing_status is "ended".`);
  res.writeHead(200, { 'content-type': 'application/binary' });
  let chunk = '';
  for (const line of batch.results) {
    chunk += `${JSON.stringify(line)}\n`;
    // Written in pieces with backpressure: a full batch's results run to hundreds of megabytes.
    if (chunk.length >= 64 * 1024) {
      if (!res.write(chunk)) await writable(res);
      chunk = '';
      if (res.destroyed) return;
    }
  }
  res.end(chunk);
}
