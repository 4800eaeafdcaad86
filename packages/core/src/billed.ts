import type { BilledUsage, GenerationResult } from './ports/llm-provider.js';
import type { Usage } from './schemas/usage.js';

/** Token counts of two generations together. */
export function addUsage(a: Usage, b: Usage): Usage {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    cacheCreation: a.cacheCreation + b.cacheCreation,
    cacheRead: a.cacheRead + b.cacheRead,
    estimated: a.estimated || b.estimated,
  };
}

/** Two bills together, priced at the later one's model (a requirement's attempts share their tier's model). */
export function addBilled(a: BilledUsage | undefined, b: BilledUsage | undefined): BilledUsage | undefined {
  if (!a || !b) return a ?? b;
  return { model: b.model, usage: addUsage(a.usage, b.usage) };
}

/**
 * What paid providers billed for these drafts: each LLM draft's own usage, and the failed attempts
 * an offline draft replaced. The offline generator's estimated tokens are never part of it.
 */
export function billedOf(drafts: readonly GenerationResult[]): BilledUsage | undefined {
  let billed: BilledUsage | undefined;
  for (const draft of drafts) {
    billed = addBilled(billed, draft.billed);
    if (draft.model !== 'offline') billed = addBilled(billed, { model: draft.model, usage: draft.usage });
  }
  return billed;
}

/**
 * The error that ended a generation, carrying what its earlier drafts were billed (a second request
 * failed after a paid first draft): that spend still counts. Errors that are not Error objects pass unchanged.
 */
export function withBilled<E>(error: E, billed: BilledUsage | undefined): E {
  if (error instanceof Error && billed) Object.assign(error, { billed });
  return error;
}

/** What a failed generation's earlier drafts were billed (withBilled), if anything. */
export function billedBefore(error: unknown): BilledUsage | undefined {
  const billed = error instanceof Error ? (error as Error & { billed?: BilledUsage }).billed : undefined;
  return billed && typeof billed.model === 'string' && typeof billed.usage === 'object' ? billed : undefined;
}
