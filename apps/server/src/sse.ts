import type { Response } from 'express';
import { batchEndWatch, type BatchStatus, type Generating } from '@agent-factory/queue';

/** Counts open streams per client so one client cannot hold every socket and Redis poll. */
export class ClientLimiter {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** A release function, or undefined when the client already has `max` streams open. */
  acquire(client: string): (() => void) | undefined {
    const count = this.open.get(client) ?? 0;
    if (count >= this.max) return undefined;
    this.open.set(client, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(client) ?? 1) - 1;
      if (left > 0) this.open.set(client, left);
      else this.open.delete(client);
    };
  }
}

export interface BatchEventOptions {
  initial: BatchStatus;
  /** Reads the batch again; undefined when it no longer exists. */
  poll: () => Promise<BatchStatus | undefined>;
  /** The batch's generations in flight (characters and tokens written so far). */
  pollGenerating?: () => Promise<Generating[]>;
  pollMs: number;
  heartbeatMs: number;
  /** Called once when the stream ends, however it ends. */
  onClose: () => void;
  /** Server shutdown: the stream closes without `end` (the batch goes on; EventSource reconnects). */
  signal?: AbortSignal;
}

/** An event stream's response headers. */
export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  // nginx would otherwise buffer the stream.
  'X-Accel-Buffering': 'no',
} as const;

/** What a client cares about: an event is sent only when this changes. */
function progressKey(status: BatchStatus): string {
  return JSON.stringify([status.state, status.counts, status.total, status.finishedAt]);
}

/**
 * Server-sent events for one batch: `progress` (the BatchStatus) at once and on every change, polled
 * server-side; `generating` (the generations in flight, with what the model has written so far) on
 * every change; then `end` (the final status) when the batch is no longer running, or `gone` when
 * it no longer exists, and the stream closes. Comment lines keep idle proxies from cutting the connection.
 */
export function streamBatchEvents(res: Response, options: BatchEventOptions): void {
  res.writeHead(200, SSE_HEADERS);
  let eventId = 0;
  let closed = false;
  let pollTimer: NodeJS.Timeout | undefined;
  const send = (event: 'progress' | 'generating' | 'end' | 'gone', data: unknown): void => {
    res.write(`id: ${++eventId}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const heartbeat = setInterval(() => res.write(': ping\n\n'), options.heartbeatMs);
  const close = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    clearTimeout(pollTimer);
    options.signal?.removeEventListener('abort', close);
    options.onClose();
    res.end();
  };
  // The response's close (not the request's) is what fires when the client goes away.
  res.on('close', close);
  if (options.signal?.aborted) {
    close();
    return;
  }
  options.signal?.addEventListener('abort', close, { once: true });

  let last = options.initial;
  const ended = batchEndWatch();
  let lastKey = progressKey(last);
  let lastGenerating = '[]';
  const finish = (status: BatchStatus): void => {
    send('end', status);
    close();
  };
  const tick = async (): Promise<void> => {
    if (closed) return;
    try {
      const status = await options.poll();
      if (closed) return;
      if (status === undefined) {
        // Deleted, its retention ended, or Redis lost it: not an end the client could mistake for a final status.
        send('gone', { id: last.id, message: `batch ${last.id} no longer exists (deleted, its retention ended, or Redis lost its data)` });
        close();
        return;
      }
      const key = progressKey(status);
      if (key !== lastKey) {
        last = status;
        lastKey = key;
        send('progress', status);
      }
      if (options.pollGenerating && status.state === 'running') {
        const generating = await options.pollGenerating();
        const text = JSON.stringify(generating);
        if (!closed && text !== lastGenerating) {
          lastGenerating = text;
          send('generating', generating);
        }
      }
      if (ended(status)) {
        finish(status);
        return;
      }
    } catch {
      if (closed) return;
      // Redis is away: say so and keep polling; the client keeps its connection.
      res.write(': waiting for redis\n\n');
    }
    pollTimer = setTimeout(() => void tick(), options.pollMs);
  };

  send('progress', last);
  if (ended(last)) finish(last);
  else pollTimer = setTimeout(() => void tick(), options.pollMs);
}
