import type { LimitName } from './limits.js';
import type { FaultKind } from './options.js';

/** Tokens by kind, named like core's Usage so the two compare directly. */
export interface TokenCounts {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
}

export type BatchResultType = 'succeeded' | 'errored' | 'canceled' | 'expired';

/** Everything the simulator did, for tests and benchmarks (also `GET /_ledger`). */
export interface LedgerData {
  requests: {
    total: number;
    /** e.g. `POST /v1/messages`, `GET /v1/messages/batches/:id`. */
    byEndpoint: Record<string, number>;
    /** HTTP status, or `reset` when the socket was destroyed before a reply. */
    byStatus: Record<string, number>;
  };
  /**
   * Tokens of completed replies (JSON sent, or a stream that reached message_stop; batch items
   * that succeeded). A reply cut by a fault or a client abort books nothing.
   */
  tokens: { realtime: TokenCounts; batch: TokenCounts };
  /** Completed replies. */
  messages: { realtime: number; batch: number };
  /** Their price (models.ts table): cache writes ×1.25 (1 h ×2), reads ×0.1, batch ×0.5. */
  costUsd: { realtime: number; batch: number };
  /** Every 429 sent, whether a limit refused the request or a fault was injected. */
  responses429: number;
  /** 429s sent because a limit refused the request, by limit. */
  rateLimited: Record<LimitName, number>;
  /** Injected faults by kind. */
  faults: { total: number; byKind: Partial<Record<FaultKind, number>> };
  batches: { created: number; requests: number; results: Record<BatchResultType, number> };
  /**
   * How far completed realtime replies ended after their simulated time (ttftMs + output /
   * tokensPerSecond): a benchmark checks the simulator kept up with the load it was given.
   */
  pacing: { replies: number; lateMsTotal: number; lateMsMax: number };
}

const zeroTokens = (): TokenCounts => ({ input: 0, output: 0, cacheCreation: 0, cacheRead: 0 });

function emptyLedger(): LedgerData {
  return {
    requests: { total: 0, byEndpoint: {}, byStatus: {} },
    tokens: { realtime: zeroTokens(), batch: zeroTokens() },
    messages: { realtime: 0, batch: 0 },
    costUsd: { realtime: 0, batch: 0 },
    responses429: 0,
    rateLimited: { requests: 0, 'input-tokens': 0, 'output-tokens': 0 },
    faults: { total: 0, byKind: {} },
    batches: { created: 0, requests: 0, results: { succeeded: 0, errored: 0, canceled: 0, expired: 0 } },
    pacing: { replies: 0, lateMsTotal: 0, lateMsMax: 0 },
  };
}

const bump = (counts: Record<string, number>, key: string): void => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** The live ledger: read its fields at any time, `snapshot()` for a copy, `reset()` to start over. */
export class Ledger {
  private data = emptyLedger();

  get requests(): LedgerData['requests'] {
    return this.data.requests;
  }
  get tokens(): LedgerData['tokens'] {
    return this.data.tokens;
  }
  get messages(): LedgerData['messages'] {
    return this.data.messages;
  }
  get costUsd(): LedgerData['costUsd'] {
    return this.data.costUsd;
  }
  get responses429(): number {
    return this.data.responses429;
  }
  get rateLimited(): LedgerData['rateLimited'] {
    return this.data.rateLimited;
  }
  get faults(): LedgerData['faults'] {
    return this.data.faults;
  }
  get batches(): LedgerData['batches'] {
    return this.data.batches;
  }
  get pacing(): LedgerData['pacing'] {
    return this.data.pacing;
  }

  /** A deep copy, safe to keep and compare. */
  snapshot(): LedgerData {
    return structuredClone(this.data);
  }

  toJSON(): LedgerData {
    return this.data;
  }

  reset(): void {
    this.data = emptyLedger();
  }

  recordRequest(endpoint: string, status: string): void {
    this.data.requests.total++;
    bump(this.data.requests.byEndpoint, endpoint);
    bump(this.data.requests.byStatus, status);
    if (status === '429') this.data.responses429++;
  }

  recordMessage(mode: 'realtime' | 'batch', tokens: TokenCounts, usd: number): void {
    const t = this.data.tokens[mode];
    t.input += tokens.input;
    t.output += tokens.output;
    t.cacheCreation += tokens.cacheCreation;
    t.cacheRead += tokens.cacheRead;
    this.data.messages[mode]++;
    this.data.costUsd[mode] += usd;
  }

  recordLateness(lateMs: number): void {
    const p = this.data.pacing;
    const late = Math.max(0, lateMs);
    p.replies++;
    p.lateMsTotal += late;
    p.lateMsMax = Math.max(p.lateMsMax, late);
  }

  recordRateLimited(limit: LimitName): void {
    this.data.rateLimited[limit]++;
  }

  recordFault(kind: FaultKind): void {
    this.data.faults.total++;
    bump(this.data.faults.byKind, kind);
  }

  recordBatchCreated(requests: number): void {
    this.data.batches.created++;
    this.data.batches.requests += requests;
  }

  recordBatchResult(type: BatchResultType): void {
    this.data.batches.results[type]++;
  }
}
