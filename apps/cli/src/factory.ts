import type { AgentFactory, AgentFactoryConfig } from '@agent-factory/sdk';
import { FactoryInputError } from '@agent-factory/sdk/output';
import { UsageError } from './usage-error.js';

/** The library's "fix your input" errors are the CLI's bad usage: one line, exit 2. */
export function asUsageError(error: unknown): unknown {
  return error instanceof FactoryInputError ? new UsageError(error.message) : error;
}

/** Runs `work` with a factory configured from the environment (as every command reads it), closed after. */
export async function withFactory<T>(config: AgentFactoryConfig, work: (factory: AgentFactory) => Promise<T>): Promise<T> {
  // Loaded here, not at the top: results and submit use this file's asUsageError without the providers and research.
  const { createAgentFactory } = await import('@agent-factory/sdk');
  let factory: AgentFactory;
  try {
    factory = createAgentFactory(config);
  } catch (error) {
    throw asUsageError(error);
  }
  try {
    return await work(factory);
  } catch (error) {
    throw asUsageError(error);
  } finally {
    await factory.close();
  }
}
