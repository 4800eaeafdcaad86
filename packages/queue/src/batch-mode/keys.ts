import type { StageJobData } from '../queues.js';

/**
 * Redis keys of batch mode, under the factory's hash tag (one Cluster slot, so Lua may touch them
 * with the items). A "member" is one generation request: (batch, requirement, attempt). A "group"
 * is the members sent as one Anthropic Message Batch.
 */
export function llmBatchKeys(prefix: string) {
  const base = `${prefix}:llmb`;
  return {
    /** Sorted set: members waiting for a group, by registration time (ms). */
    pending: `${base}:pending`,
    /** Counter of registrations: every maxRequests-th one triggers a flush at once. */
    seq: `${base}:seq`,
    /** Sorted set: groups formed but not yet picked up by their job, by formation time (crash sweep). */
    forming: `${base}:forming`,
    /** Sorted set: Anthropic batch ids some group recorded, by time; never adopted by another group. */
    claimed: `${base}:claimed`,
    /** Hash: tokens by kind, costUsd, requests, fallbacks over every batch-mode batch. */
    usage: `${base}:usage`,
    /** The same per factory batch (what reports price). */
    batchUsage: (batchId: string) => `${base}:usage:${batchId}`,
    /** String JSON {p: priority, t: registered ms}: set once per member, so a retried job never registers twice. */
    member: (memberId: string) => `${base}:m:${memberId}`,
    /** Hash: state, anthropicId, createdAt, startedAt, sent, … */
    group: (groupId: string) => `${base}:g:${groupId}`,
    /** Hash custom_id → member id. */
    groupMembers: (groupId: string) => `${base}:g:${groupId}:members`,
    /** Hash custom_id → outcome, written once per result (idempotent re-application after a crash). */
    groupApplied: (groupId: string) => `${base}:g:${groupId}:applied`,
  };
}
export type LlmBatchKeys = ReturnType<typeof llmBatchKeys>;

/** `b_…-<reqKey>-<attempt>`: a valid custom_id (`^[a-zA-Z0-9_-]{1,64}$`) for any batch id up to 44 characters. */
export function memberId(data: StageJobData): string {
  return `${data.b}-${data.k}-${data.a ?? 1}`;
}

/** The job data a member id names (batch ids contain no `-`). */
export function parseMemberId(id: string): StageJobData & { a: 1 | 2 } {
  const [b, k, a] = id.split('-');
  if (!b || !k || (a !== '1' && a !== '2')) throw new Error(`not a batch-mode member id: ${id}`);
  return { b, k, a: a === '2' ? 2 : 1 };
}

/** Registration of a member: its jobs' priority and when it started waiting. */
export interface MemberInfo {
  p: number;
  t: number;
  /** The registering generate job's trace (W3C carrier), when it was traced: the collector continues it. */
  c?: Record<string, string>;
}
