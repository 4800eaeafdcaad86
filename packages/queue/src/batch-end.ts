import type { BatchStatus } from './batch.js';

/**
 * How long a cancelled batch may keep unsettled items before a waiter takes it as ended anyway:
 * `cancel` settles them page by page within moments, and a cancel that died half way (its process
 * killed) leaves some that nothing will settle.
 */
export const CANCEL_SETTLE_MS = 10_000;

/**
 * Whether a waiter (`--wait`, the event stream) has the batch's final status: it is no longer
 * running and, when cancelled, `cancel` has settled its items (pending 0, a finish time), so the
 * last snapshot a user sees is not one taken half way through the cancel.
 */
export function batchEndWatch(settleMs = CANCEL_SETTLE_MS): (status: BatchStatus) => boolean {
  let cancelledSince: number | undefined;
  return (status) => {
    if (status.state === 'running') return false;
    if (status.state !== 'cancelled' || status.finishedAt !== undefined || status.counts.pending === 0) return true;
    cancelledSince ??= Date.now();
    return Date.now() - cancelledSince >= settleMs;
  };
}
