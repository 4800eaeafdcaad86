import { PRIORITY_LIMIT } from 'bullmq';

/** Ranks per batch priority level; 10 levels × RANK_SPAN stay under BullMQ's limit (2^21 − 1). */
export const RANK_SPAN = 200_000;

/**
 * BullMQ priority (1 = first) of a batch's n-th distinct requirement. The user's batch priority
 * (1–10) is the major key; within it the rank interleaves batches round-robin: every batch's
 * first item goes before any batch's second, so a small batch never waits behind a large one.
 */
export function jobPriority(batchPriority: number, rank: number): number {
  const level = Math.min(10, Math.max(1, Math.round(batchPriority))) - 1;
  const priority = level * RANK_SPAN + Math.min(Math.max(0, rank), RANK_SPAN - 1) + 1;
  return Math.min(priority, PRIORITY_LIMIT);
}
