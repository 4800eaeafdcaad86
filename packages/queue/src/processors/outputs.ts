import type { Finding, GenerationResult, Plan, Research } from '@agent-factory/core';

/** The stage outputs kept in an item's record, each with the milliseconds it took. */
export interface PlanOutput {
  plan: Plan;
  ms: number;
}
export interface ResearchOutput {
  research: Research;
  ms: number;
}
export interface DraftOutput {
  draft: GenerationResult;
  /** The provider that wrote it. */
  provider: string;
  ms: number;
}
export interface ReviewOutput {
  /** The first draft's failed findings: the second attempt's guidance. */
  findings: Finding[];
  ms: number;
}
