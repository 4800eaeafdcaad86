// The one place every fault case counts what happened to its batch, from what the system itself
// recorded: the batch hash's counters, the results hash, the ids list, the per-batch metrics
// counters and (for provider cases) the replies the simulator completed per requirement.
import { batchFields, batchResults, getBatch, type BatchStatus, type FactoryConnection, type StoredResult } from '@agent-factory/queue';
import { expect } from 'vitest';
import { inputIds, sleep, storedResults } from '../helpers/queue-workers.js';

/** Completed provider replies per input id (see provider-ledger.ts). */
export type RepliesByInput = ReadonlyMap<string, number>;

export interface Counts {
  /** Distinct requirements the batch accepted (its `total`). */
  submitted: number;
  completed: number;
  failed: number;
  failedWithReason: number;
  cancelled: number;
  duplicates: number;
  lost: number;
  /** Where duplicates would come from, so a non-zero figure says which record disagrees. */
  sources: {
    /** Metrics finishes (`n`) beyond the distinct completed + failed items. */
    metrics: number;
    /** Batch counters (completed + failed + cancelled) beyond the distinct stored results. */
    counters: number;
    /** Stored results for keys that are no input's. */
    strays: number;
    /** Rows `batchResults` yields beyond one per input id. */
    rows: number;
    /** Completed provider replies beyond the drafts the result says it used. */
    provider: number;
  };
  /** Finished items the metrics never recorded (the finalize script records them in the same step: must be 0). */
  unrecorded: number;
  /** Failure reasons with how many items gave each. */
  reasons: Map<string, number>;
  finished: boolean;
  status: BatchStatus | undefined;
  /** By input id; undefined when the input has no result. */
  byInput: Map<string, StoredResult | undefined>;
}

/** The batch's status, or undefined while Redis cannot answer (a restart). */
export async function peekBatch(conn: FactoryConnection, batchId: string): Promise<BatchStatus | undefined> {
  try {
    return await getBatch(conn, batchId);
  } catch {
    return undefined;
  }
}

/**
 * Polls the batch until it finished or the deadline passed, without throwing: a batch that never
 * finishes is counted (its unfinished items are lost) rather than reported as a timeout.
 */
export async function settle(conn: FactoryConnection, batchId: string, deadlineMs: number): Promise<BatchStatus | undefined> {
  const until = Date.now() + deadlineMs;
  let last: BatchStatus | undefined;
  while (Date.now() < until) {
    last = (await peekBatch(conn, batchId)) ?? last;
    if (last?.finishedAt !== undefined) return last;
    await sleep(100);
  }
  return last;
}

/**
 * Counts a batch. lost = submitted − (completed + failed + cancelled) by the batch's counters, plus
 * the requirements without a stored result beyond those (a counter that says finished with no
 * result behind it). duplicates = the sum of `sources`.
 */
export async function countBatch(conn: FactoryConnection, batchId: string, replies?: RepliesByInput): Promise<Counts> {
  const status = await getBatch(conn, batchId);
  const stored = await storedResults(conn, batchId);
  const ids = await inputIds(conn, batchId);
  const keys = new Set(ids.map(([, k]) => k));
  const fields = await batchFields(conn.redis, conn.config.prefix, batchId);
  let rows = 0;
  for await (const _row of batchResults(conn, batchId)) rows++;

  const mine = [...stored].filter(([k]) => keys.has(k)).map(([, r]) => r);
  const completed = mine.filter((r) => r.s === 'completed').length;
  const failedItems = mine.filter((r) => r.s === 'failed');
  const cancelled = mine.filter((r) => r.s === 'cancelled').length;
  const recorded = fields.get('n') ?? 0;
  // Completed and failed items are recorded in the metrics; cancelled ones are not.
  const finishedDistinct = completed + failedItems.length;
  const c = status?.counts ?? { pending: 0, completed: 0, failed: 0, cancelled: 0 };
  const submitted = status?.total ?? keys.size;

  const byInput = new Map(ids.map(([id, k]) => [id, stored.get(k)]));
  const sources = {
    metrics: Math.max(0, recorded - finishedDistinct),
    counters: Math.max(0, c.completed + c.failed + c.cancelled - mine.length),
    strays: stored.size - mine.length,
    rows: Math.max(0, rows - ids.length),
    provider: replies ? extraReplies(byInput, replies) : 0,
  };
  const reasons = new Map<string, number>();
  for (const r of failedItems) reasons.set(r.e ?? '', (reasons.get(r.e ?? '') ?? 0) + 1);
  const missing = new Set(ids.filter(([, k]) => !stored.has(k)).map(([, k]) => k)).size;
  const unfinished = Math.max(0, submitted - (c.completed + c.failed + c.cancelled));
  return {
    submitted,
    completed,
    failed: failedItems.length,
    failedWithReason: failedItems.filter((r) => (r.e ?? '').trim().length > 0).length,
    cancelled,
    duplicates: Object.values(sources).reduce((a, b) => a + b, 0),
    // An unfinished item is both uncounted and without a result: counted once, plus results missing beyond those.
    lost: unfinished + Math.max(0, missing - unfinished),
    sources,
    unrecorded: Math.max(0, finishedDistinct - recorded),
    reasons,
    finished: status?.finishedAt !== undefined,
    status,
    byInput,
  };
}

/**
 * Replies a requirement got beyond the drafts its result used: one per generation attempt (`a`;
 * 3 means two provider drafts failed the gates and the offline generator answered). A failed item
 * may have used at most two drafts.
 */
function extraReplies(byInput: ReadonlyMap<string, StoredResult | undefined>, replies: RepliesByInput): number {
  let extra = 0;
  for (const [id, n] of replies) {
    const r = byInput.get(id);
    const used = r?.s === 'completed' ? Math.min(r.a ?? 1, 2) : r?.s === 'failed' ? 2 : 0;
    extra += Math.max(0, n - used);
  }
  return extra;
}

/** The case's one line: `faults: <case>: submitted N, completed N, failed-with-reason N, duplicates N, lost N` plus its own figures. */
export function report(name: string, counts: Counts, extra: Record<string, string | number> = {}): string {
  const figures = Object.entries(extra).map(([k, v]) => `, ${k} ${v}`).join('');
  const why = [...counts.reasons].map(([reason, n]) => `${n}× ${JSON.stringify(reason)}`).join('; ');
  const line = `faults: ${name}: submitted ${counts.submitted}, completed ${counts.completed}, failed-with-reason ${counts.failedWithReason}, duplicates ${counts.duplicates}, lost ${counts.lost}${figures}${why ? ` (failed: ${why})` : ''}`;
  console.log(line);
  return line;
}

/** What every case asserts: nothing lost, nothing twice, every failure says why. */
export function expectSound(counts: Counts): void {
  expect(counts.lost, 'lost').toBe(0);
  expect(counts.duplicates, `duplicates ${JSON.stringify(counts.sources)}`).toBe(0);
  expect(counts.failedWithReason, 'failed items without a reason').toBe(counts.failed);
  expect(counts.finished, 'the batch finished').toBe(true);
  expect(counts.unrecorded, 'finished items missing from the metrics').toBe(0);
}
