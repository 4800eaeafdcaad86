import type { Finding, GenerationResult, Plan, Research } from '@agent-factory/core';
import type { DraftCost } from '@agent-factory/llm/costs';

/** How long a stage's job waited in its queue and how often it was retried (for the metrics). */
export interface QueueTiming {
  wait?: number;
  retries?: number;
}

/** The stage outputs an item gathers on its way, each with the milliseconds it took. */
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
  /** The worker (host:pid) that generated it. */
  worker?: string;
  /**
   * What its bill cost, priced by the process that billed it (its prices, AF_PRICES): whoever counts
   * it later (a cancel, which has no prices) adds this figure. Absent when it billed nothing.
   */
  cost?: DraftCost;
}
export interface ReviewOutput extends QueueTiming {
  /** The first draft's failed findings: the second attempt's guidance. */
  findings: Finding[];
  ms: number;
}

/**
 * An item's stage outputs by name. They travel in the data of the item's next stage job (so a stage
 * reads its inputs with the job BullMQ hands it, and writes nothing but that job); the same names are
 * the item record's fields where an output is kept in Redis instead (Message Batches mode, whose
 * collector builds requests and stores drafts outside any job).
 */
export interface StageOutputs {
  plan: PlanOutput;
  research: ResearchOutput;
  draft1: DraftOutput;
  review1: ReviewOutput;
  draft2: DraftOutput;
}
export type OutputName = keyof StageOutputs;

/** The names of an item's drafts: at most one per generation attempt counts. */
export const DRAFT_NAMES = ['draft1', 'draft2'] as const;
export type DraftName = (typeof DRAFT_NAMES)[number];

/** The output name of a generation attempt's draft. */
export const draftName = (attempt: 1 | 2): DraftName => (attempt === 1 ? 'draft1' : 'draft2');
