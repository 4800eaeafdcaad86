import type { Finding, GenerationResult, Plan, Research } from '@agent-factory/core';

/** How long a stage's job waited in its queue and how often it was retried (for the metrics). */
export interface QueueTiming {
  wait?: number;
  retries?: number;
}

/** The stage outputs kept in an item's record, each with the milliseconds it took. */
export interface PlanOutput extends QueueTiming {
  plan: Plan;
  ms: number;
  /** When the requirement was enqueued, epoch ms. */
  at?: number;
}
export interface ResearchOutput extends QueueTiming {
  research: Research;
  ms: number;
}
export interface DraftOutput extends QueueTiming {
  draft: GenerationResult;
  /** The provider that wrote it. */
  provider: string;
  ms: number;
}
export interface ReviewOutput extends QueueTiming {
  /** The first draft's failed findings: the second attempt's guidance. */
  findings: Finding[];
  ms: number;
}
