import { dropCancelledItems, type FactoryConnection } from '@agent-factory/queue';
import type { ErrorLogger } from './errors.js';

/**
 * Ends cancelled batches' items after the DELETE that cancelled them has answered: a batch of
 * 100,000 takes seconds, longer than a client or proxy may wait. One run per batch at a time in this
 * process; a run cut short (the server stopped, Redis away) is finished by the next cancel of the
 * batch, and the workers end the items of the jobs they still fetch.
 */
export class BackgroundCancels {
  private readonly running = new Set<string>();

  constructor(
    private readonly conn: FactoryConnection,
    private readonly signal?: AbortSignal,
    private readonly logger?: ErrorLogger,
  ) {}

  /** Starts ending the items of a cancelled batch, unless that already runs here. */
  start(batchId: string): void {
    if (this.running.has(batchId)) return;
    this.running.add(batchId);
    dropCancelledItems(this.conn, batchId, this.signal ? { signal: this.signal } : {})
      .catch((error: unknown) => this.logger?.error({ err: error, batch: batchId }, 'cancel stopped before ending every item; cancel the batch again to finish it'))
      .finally(() => this.running.delete(batchId));
  }
}
