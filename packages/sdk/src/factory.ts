import type { GateReport } from '@agent-factory/core';
import { createAnthropicProvider } from '@agent-factory/llm';
import { batchResults, getBatch, retryBatch, retryRefusal, type BatchStatus, type ItemResult, type ResultsPage, type ResumeOutcome } from '@agent-factory/queue';
import { createResearchSetup, ResearchSetupError, type ResearchSetup } from '@agent-factory/research';
import { LazyConnection } from './batch/lazy-connection.js';
import { resumeRequirements, submitRequirements, type BatchInput, type SubmitOptions } from './batch/submit.js';
import type { AgentFactoryConfig } from './config.js';
import { FactoryInputError } from './errors.js';
import { generateAgent, type GeneratedAgent, type GenerateOptions } from './generate.js';
import { resolveFactoryConfig } from './resolve-config.js';
import { validateAgentFile, type ValidateInput } from './validate.js';

/** Agent Factory as a library: one agent in-process, or batches on the worker pool. */
export interface AgentFactory {
  /** Runs analyze → research → generate → validate in this process; writes the file when `write` is given. */
  generate(requirement: string, options?: GenerateOptions): Promise<GeneratedAgent>;
  /** The four gates' report on an agent file (a path, or its text). */
  validate(input: ValidateInput): Promise<GateReport>;
  /** Checks and enqueues a batch for the workers (needs Redis); returns its status with its id. */
  submitBatch(input: BatchInput, options?: SubmitOptions): Promise<BatchStatus>;
  /**
   * Finishes a batch whose submit was interrupted (its process died mid-enqueue; its status says so),
   * given the same requirements: the held ones are checked and skipped, the rest enqueued.
   */
  resumeBatch(id: string, input: BatchInput, options?: SubmitOptions): Promise<ResumeOutcome>;
  /** A batch's counts and state; undefined when there is no such batch (or its retention ended). */
  batchStatus(id: string): Promise<BatchStatus | undefined>;
  /**
   * Runs a finished batch's failed requirements again in the same batch (`retry`); how many went back
   * to the workers and how many failed ones wait for a next retry. Throws for an unknown, running or
   * cancelled batch.
   */
  retryBatch(id: string): Promise<{ retried: number; remaining: number }>;
  /** Every input id's result (or the page `offset`/`limit` name), in input order, streamed from Redis. */
  results(id: string, page?: ResultsPage): AsyncIterable<ItemResult>;
  /** Closes what the factory opened (the Redis connection, the research source); later calls fail. */
  close(): Promise<void>;
}

function researchOf(options: Parameters<typeof createResearchSetup>[0]): ResearchSetup {
  try {
    return createResearchSetup(options);
  } catch (error) {
    throw error instanceof ResearchSetupError ? new FactoryInputError(error.message) : error;
  }
}

/**
 * A factory from a config (validated; omitted fields from the environment, as the CLI reads them).
 * Nothing connects here: research on its first look-up, Redis on the first batch call.
 */
export function createAgentFactory(config: AgentFactoryConfig = {}): AgentFactory {
  const resolved = resolveFactoryConfig(config);
  const { docs, extraLibraries } = researchOf(resolved.research);
  const llm = resolved.llm.provider === 'anthropic' ? createAnthropicProvider({
        ...resolved.llm.anthropic,
        ...(resolved.onRetry ? { onRetry: resolved.onRetry } : {}),
        onUnpriced: (model) => resolved.logger?.warn({ model }, 'no price for this generation model: the answer is kept, its cost unknown (AF_PRICES)'),
      }) : undefined;
  const redis = new LazyConnection(resolved.queue, resolved.logger);
  let closed: Promise<void> | undefined;
  const open = (): void => {
    if (closed) throw new Error('this agent factory is closed');
  };
  const deps = { ...(llm ? { llm } : {}), ...(docs ? { docs } : {}), extraLibraries, agentModels: resolved.agentModels };

  return {
    async generate(requirement, options) {
      open();
      return generateAgent(deps, requirement, options);
    },
    async validate(input) {
      open();
      return validateAgentFile(input);
    },
    async submitBatch(input, options) {
      open();
      return submitRequirements(await redis.get(), input, options);
    },
    async resumeBatch(id, input, options) {
      open();
      return resumeRequirements(await redis.get(), id, input, options);
    },
    async batchStatus(id) {
      open();
      return getBatch(await redis.get(), id);
    },
    async retryBatch(id) {
      open();
      const outcome = await retryBatch(await redis.get(), id);
      if (outcome.outcome === 'retried') return { retried: outcome.retried, remaining: outcome.remaining };
      throw new FactoryInputError(retryRefusal(outcome.outcome, id));
    },
    async *results(id, page) {
      open();
      const conn = await redis.get();
      if (!(await getBatch(conn, id))) throw new FactoryInputError(`no batch ${id} (unknown, or its retention ended)`);
      yield* batchResults(conn, id, page);
    },
    close() {
      closed ??= Promise.all([redis.close(), docs?.close?.()]).then(() => undefined);
      return closed;
    },
  };
}
