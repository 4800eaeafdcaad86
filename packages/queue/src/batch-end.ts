import type { BatchStatus } from './batch.js';

/**
 * How long a cancelled batch's pending count may stand still before a waiter takes it as ended
 * anyway: a live cancel lowers it page by page (a server ending a large batch's items in the
 * background may take longer than this in all), while one that died half way (its process killed)
 * leaves items that nothing will settle.
 */
export const CANCEL_SETTLE_MS = 10_000;

/**
 * Whether a waiter (`--wait`, the event stream) has the batch's final status: it is no longer
 * running and, when cancelled, `cancel` has settled its items (pending 0, a finish time), so the
 * last snapshot a user sees is not one taken half way through the cancel.
 */
export function batchEndWatch(settleMs = CANCEL_SETTLE_MS): (status: BatchStatus) => boolean {
  let stillSince = 0;
  let lastPending = -1;
  return (status) => {
    if (status.state === 'running') return false;
    if (status.state !== 'cancelled' || status.finishedAt !== undefined || status.counts.pending === 0) return true;
    if (status.counts.pending !== lastPending) {
      lastPending = status.counts.pending;
      stillSince = Date.now();
    }
    return Date.now() - stillSince >= settleMs;
  };
}
