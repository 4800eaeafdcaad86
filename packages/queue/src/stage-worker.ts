import type { Cache, DocsSource, LlmProvider, PipelineOptions } from '@agent-factory/core';
import type { FactoryConnection } from './connection.js';
import type { Stage } from './stages.js';

export interface WorkerDeps {
  llm?: LlmProvider;
  docs?: DocsSource;
  cache?: Cache;
  pipeline?: PipelineOptions;
}

export interface WorkerPool {
  /** Stops taking jobs, lets in-flight ones finish within the grace period, closes its connections. */
  close(graceMs?: number): Promise<void>;
}

// STUB: owned by the queue helper.
/** Starts BullMQ workers for the chosen stages in this process, with per-stage concurrency. */
export async function startWorkers(
  conn: FactoryConnection,
  options: { stages: readonly Stage[]; concurrency: Partial<Record<Stage, number>>; deps: WorkerDeps },
): Promise<WorkerPool> {
  throw new Error(`not implemented ${String(conn)} ${String(options)}`);
}
