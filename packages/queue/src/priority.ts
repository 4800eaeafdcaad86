import { PRIORITY_LIMIT } from 'bullmq';

/** Ranks per batch priority level; 10 levels × RANK_SPAN stay under BullMQ's limit (2^21 − 1). */
export const RANK_SPAN = 200_000;

/** The level (0–9) of a batch priority (1–10). */
export function priorityLevel(batchPriority: number): number {
  return Math.min(10, Math.max(1, Math.round(batchPriority))) - 1;
}

/**
 * BullMQ priority (1 = first) of a job at this rank. The user's batch priority (1–10) is the major
 * key; within it the rank is the batch's rank offset (where its level's queue stood when it was
 * submitted, rank-offset.ts) plus the item's place among the batch's distinct requirements. So the
 * batches of a level interleave round-robin from the moment each joins: a batch submitted later
 * neither waits behind the older ones' queued items nor freezes them until it has caught up, and a
 * small batch finishes quickly. Ranks past the span all share the level's last place and run in
 * the order they were added (BullMQ breaks ties first-in first-out).
 */
export function jobPriority(batchPriority: number, rank: number): number {
  const priority = priorityLevel(batchPriority) * RANK_SPAN + Math.min(Math.max(0, rank), RANK_SPAN - 1) + 1;
  return Math.min(priority, PRIORITY_LIMIT);
}

/** Where a batch's jobs queue: its priority (1–10) and its rank offset, both kept on the batch hash. */
export interface BatchPlace {
  priority: number;
  rankOffset: number;
}
