import { randomBytes } from 'node:crypto';
import type { FactoryConnection } from './connection.js';
import { batchKeys, submittingKey } from './keys.js';
import { LEASE_LOST } from './scripts/enqueue-chunk.js';
import { renewLeaseScript } from './scripts/renew-lease.js';

/**
 * A producer's writes were refused because it no longer holds its batch's lease: it stalled, or could
 * not reach Redis, for longer than the lease, so the batch was marked interrupted (and may since have
 * been resumed by another producer). It must stop: whatever it enqueued is in the batch.
 */
export class SubmitLeaseLostError extends Error {
  constructor(readonly batchId: string) {
    super(
      `this submit lost its lease on batch ${batchId} (it stalled or could not reach Redis for longer than AF_SUBMIT_LEASE_MS), ` +
        `so the batch was marked interrupted and this process stopped enqueuing; see \`agent-factory status ${batchId}\``,
    );
    this.name = 'SubmitLeaseLostError';
  }
}

/** A lease-fenced script's promise, with the fence's refusal turned into SubmitLeaseLostError. */
export function fenced<T>(batchId: string, write: Promise<T>): Promise<T> {
  return write.catch((error: unknown) => {
    throw error instanceof Error && error.message.startsWith(LEASE_LOST) ? new SubmitLeaseLostError(batchId) : error;
  });
}

/** A fifth of the lease: four renewals in a row may fail (a Redis blip, a slow event loop) before it runs out. */
export function renewEveryMs(leaseMs: number): number {
  return Math.max(100, Math.floor(leaseMs / 5));
}

/**
 * The lease a producer holds on the batch it is enqueuing: a key under the batch's own name holding
 * the producer's random token, with a short TTL (AF_SUBMIT_LEASE_MS) renewed on a timer. While it
 * exists the batch is being submitted; when it is gone and the batch was never sealed, the producer
 * is gone too and the batch is interrupted (interruption.ts). The token fences the producer's writes,
 * so a stalled producer that comes back after losing the lease cannot write into the batch again.
 * Taking the lease is part of creating (producer.ts) or resuming (resume.ts) the batch.
 */
export class SubmitLease {
  readonly token = randomBytes(12).toString('base64url');
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;
  private lost = false;

  constructor(
    private readonly conn: FactoryConnection,
    readonly batchId: string,
  ) {}

  get ttlMs(): number {
    return this.conn.config.submitLeaseMs;
  }

  /** Renews the lease until stop(), one renewal at a time. */
  start(): void {
    this.timer = setInterval(() => {
      this.renewing ??= this.renew().finally(() => (this.renewing = undefined));
    }, renewEveryMs(this.ttlMs));
    // The enqueue keeps the process alive; a forgotten timer must not.
    this.timer.unref();
  }

  /** Throws once a renewal found the lease gone, so the producer stops before its next (refused) write. */
  check(): void {
    if (this.lost) throw new SubmitLeaseLostError(this.batchId);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
  }

  private async renew(): Promise<void> {
    const { prefix } = this.conn.config;
    try {
      const held = await renewLeaseScript.run(this.conn.redis, [batchKeys(prefix, this.batchId).lease, submittingKey(prefix)], [this.token, this.ttlMs, this.batchId]);
      if (held !== 1) this.lost = true;
    } catch {
      // Redis is unreachable: the next round tries again. Should the lease run out meanwhile, the
      // next renewal or fenced write finds it gone.
    }
  }
}
