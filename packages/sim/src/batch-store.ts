import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { bookReply, completeRequest, messageJson, prepareRequest } from './completion.js';
import { ApiError, errorBody } from './errors.js';
import { newId } from './ids.js';
import type { BatchResultType } from './ledger.js';
import type { Selection } from './options.js';
import { describeIssue, MessageCreateBodySchema, type BatchCreateBody } from './request-schema.js';
import { seededRng, shuffle, type Rng } from './rng.js';
import type { SimState } from './state.js';

const DAY_MS = 24 * 60 * 60_000;

/** One JSONL line of a batch's results. */
export interface ResultLine {
  custom_id: string;
  result: { type: BatchResultType; message?: unknown; error?: unknown };
}

export interface StoredBatch {
  id: string;
  requests: BatchCreateBody['requests'];
  createdAt: number;
  /** When processing ends unless canceled first. */
  endsAt: number;
  cancelInitiatedAt?: number;
  endedAt?: number;
  /** Set once processing has ended, in no fixed order. */
  results?: ResultLine[];
  finishing?: Promise<void>;
  timer?: NodeJS.Timeout;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Message Batches: requests are answered when the batch ends (after `batch.processingMs`, or at
 * cancel for the requests not yet reached), one by one through the prompt cache, billed as batch.
 */
export class BatchStore {
  private readonly batches = new Map<string, StoredBatch>();
  private readonly rng: Rng;

  constructor(private readonly state: SimState) {
    // Its own stream, so batch choices do not shift the realtime fault draws.
    this.rng = seededRng(state.options.seed + 1);
  }

  create(body: BatchCreateBody): StoredBatch {
    const { maxRequests } = this.state.options.batch;
    if (body.requests.length > maxRequests) throw new ApiError(400, `requests: a batch holds at most ${maxRequests} requests, got ${body.requests.length}`);
    const seen = new Set<string>();
    for (const r of body.requests) {
      if (seen.has(r.custom_id)) throw new ApiError(400, `requests: custom_id must be unique within a batch; "${r.custom_id}" appears twice`);
      seen.add(r.custom_id);
    }
    const createdAt = this.state.now();
    const batch: StoredBatch = { id: newId('msgbatch'), requests: body.requests, createdAt, endsAt: createdAt + this.state.options.batch.processingMs };
    this.batches.set(batch.id, batch);
    this.state.ledger.recordBatchCreated(body.requests.length);
    // A failure here resurfaces on the next retrieve, which awaits the same promise.
    batch.timer = setTimeout(() => void this.finish(batch).catch(() => undefined), this.state.options.batch.processingMs);
    batch.timer.unref();
    return batch;
  }

  /** The batch, ended first when its time has come. */
  async get(id: string): Promise<StoredBatch> {
    const batch = this.batches.get(id);
    if (!batch) throw new ApiError(404, `message_batch_id: no Message Batch with id ${id}`);
    if (!batch.results && this.state.now() >= batch.endsAt) await this.finish(batch);
    else if (batch.finishing) await batch.finishing;
    return batch;
  }

  /** Newest first, as the API lists them. */
  list(): StoredBatch[] {
    return [...this.batches.values()].reverse();
  }

  async cancel(id: string): Promise<StoredBatch> {
    const batch = await this.get(id);
    if (batch.results || batch.cancelInitiatedAt !== undefined) return batch;
    batch.cancelInitiatedAt = this.state.now();
    // Returned as `canceling`; the requests not reached yet end `canceled` right after.
    setImmediate(() => void this.finish(batch).catch(() => undefined));
    return batch;
  }

  async delete(id: string): Promise<void> {
    const batch = await this.get(id);
    if (!batch.results) throw new ApiError(400, `Message Batch ${id} is still processing; cancel it and wait for it to end before deleting it.`);
    this.batches.delete(id);
  }

  close(): void {
    for (const b of this.batches.values()) clearTimeout(b.timer);
    this.batches.clear();
  }

  /** The MessageBatch object as the SDK types it. */
  view(batch: StoredBatch, origin: string): Record<string, unknown> {
    const ended = batch.results !== undefined;
    const counts = { processing: ended ? 0 : batch.requests.length, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
    for (const line of batch.results ?? []) counts[line.result.type]++;
    return {
      id: batch.id,
      type: 'message_batch',
      processing_status: ended ? 'ended' : batch.cancelInitiatedAt !== undefined ? 'canceling' : 'in_progress',
      request_counts: counts,
      ended_at: batch.endedAt === undefined ? null : iso(batch.endedAt),
      created_at: iso(batch.createdAt),
      expires_at: iso(batch.createdAt + DAY_MS),
      archived_at: null,
      cancel_initiated_at: batch.cancelInitiatedAt === undefined ? null : iso(batch.cancelInitiatedAt),
      results_url: ended ? `${origin}/v1/messages/batches/${batch.id}/results` : null,
    };
  }

  private finish(batch: StoredBatch): Promise<void> {
    batch.finishing ??= this.process(batch);
    return batch.finishing;
  }

  private async process(batch: StoredBatch): Promise<void> {
    clearTimeout(batch.timer);
    const { requests, createdAt, endsAt, cancelInitiatedAt } = batch;
    // A cancel stops processing where it stood: requests are taken in order over the processing time.
    const share = cancelInitiatedAt === undefined || endsAt <= createdAt ? 1 : Math.min(1, (cancelInitiatedAt - createdAt) / (endsAt - createdAt));
    const reached = Math.floor(requests.length * share);
    const results: ResultLine[] = [];
    for (let i = 0; i < requests.length; i++) {
      const r = requests[i]!;
      results.push({ custom_id: r.custom_id, result: i < reached ? this.answer(r.custom_id, r.params) : { type: 'canceled' } });
      if (i % 200 === 199) await yieldToEventLoop();
    }
    for (const line of results) this.state.ledger.recordBatchResult(line.result.type);
    batch.endedAt = this.state.now();
    batch.results = shuffle(results, this.rng);
  }

  private answer(customId: string, params: Record<string, unknown>): ResultLine['result'] {
    const { expire, error, malformed } = this.state.options.batch;
    if (this.selects(expire, customId)) return { type: 'expired' };
    if (this.selects(error, customId)) return errored(new ApiError(500, 'Internal server error'));
    const parsed = MessageCreateBodySchema.safeParse(params);
    if (!parsed.success) return errored(new ApiError(400, describeIssue(parsed.error)));
    if (parsed.data.stream) return errored(new ApiError(400, 'stream: streaming is not supported in Message Batches'));
    try {
      const reply = completeRequest(this.state, prepareRequest(this.state, parsed.data), 'batch', this.selects(malformed, customId));
      bookReply(this.state, reply, 'batch');
      return { type: 'succeeded', message: messageJson(reply) };
    } catch (e) {
      if (e instanceof ApiError) return errored(e);
      throw e;
    }
  }

  private selects(selection: Selection | undefined, customId: string): boolean {
    if (selection === undefined) return false;
    return typeof selection === 'number' ? this.rng() < selection : selection.includes(customId);
  }
}

function errored(e: ApiError): ResultLine['result'] {
  return { type: 'errored', error: errorBody(e.type, e.message, null) };
}
