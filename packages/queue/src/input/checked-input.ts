import type { AgentModel, Tier } from '@agent-factory/core';
import type { BatchItemInput } from '../enqueue.js';

/**
 * An input the checker accepted (RecordChecker, against InputRecordSchema, for files and API bodies):
 * the producer takes it as it is instead of parsing it a third time, and parses whatever else a
 * caller hands `submitBatch` (a plain object). A class rather than a mark on the object: a spread
 * copy is a plain object again, and weak references would cost the GC more than the parse.
 */
export class CheckedInput implements BatchItemInput {
  readonly tier?: Tier;
  readonly model?: AgentModel;

  constructor(
    readonly id: string,
    readonly requirement: string,
    tier: Tier | undefined,
    model: AgentModel | undefined,
  ) {
    if (tier !== undefined) this.tier = tier;
    if (model !== undefined) this.model = model;
  }
}
