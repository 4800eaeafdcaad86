import type { Analysis } from '../schemas/analysis.js';
import type { Complexity } from '../schemas/complexity.js';
import type { Finding } from '../schemas/report.js';
import type { Research } from '../schemas/research.js';
import type { ToolPolicy } from '../schemas/tools.js';
import type { Usage } from '../schemas/usage.js';

/** Everything a provider needs to write one agent file. */
export interface GenerationRequest {
  analysis: Analysis;
  complexity: Complexity;
  policy: ToolPolicy;
  research: Research;
  /** Findings of a failed validation, when this is the second attempt. */
  guidance?: Finding[];
}

export interface GenerationProgress {
  characters: number;
  outputTokens: number;
}

export interface GenerationOptions {
  signal?: AbortSignal;
  onProgress?: (progress: GenerationProgress) => void;
}

export interface GenerationResult {
  /** The whole agent file: frontmatter and body. */
  content: string;
  usage: Usage;
  /** The generation model (or `offline`). */
  model: string;
  /** What the provider gave up to answer at all (smaller research, a cheaper model …); shown on the result. */
  degraded?: string[];
  /** On an offline draft that replaced failed LLM attempts: what those attempts billed, at their model. */
  billed?: BilledUsage;
  /** The provider's own retries of transient faults while writing it (the metrics count them). */
  retries?: number;
  /**
   * Why the answer is incomplete (it stopped at max_tokens): a second attempt would be cut off
   * again, so a draft that fails the gates goes straight to the offline generator, with this reason.
   */
  truncated?: string;
}

/** Tokens a paid provider billed and the model they are priced at (never the offline generator's estimates). */
export interface BilledUsage {
  model: string;
  usage: Usage;
}

/**
 * A provider failure the offline generator should answer for (e.g. a generation that timed out
 * after its retries): the pipeline falls back and marks the result degraded. A property rather
 * than a class check, so errors from another copy of this module count too.
 */
export class OfflineFallbackError extends Error {
  override readonly name = 'OfflineFallbackError';
  readonly offlineFallback = true;
  /** Tokens the failed attempts still spent, and the model that billed them. */
  readonly usage?: Usage;
  readonly model?: string;
  /** The provider's own retries before it gave up. */
  readonly retries?: number;

  constructor(message: string, options: { usage?: Usage; model?: string; retries?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.usage) this.usage = options.usage;
    if (options.model) this.model = options.model;
    if (options.retries) this.retries = options.retries;
  }
}

/** Whether the pipeline should answer a provider error with the offline generator. */
export function isOfflineFallbackError(error: unknown): error is Error & { usage?: Usage; model?: string; retries?: number } {
  return error instanceof Error && (error as Error & { offlineFallback?: unknown }).offlineFallback === true;
}

/** Writes agent files: the offline generator, or an LLM behind an adapter. */
export interface LlmProvider {
  readonly name: string;
  generate(request: GenerationRequest, options?: GenerationOptions): Promise<GenerationResult>;
}

/**
 * The provider retries an error carries: spent inside a generation that then ended in that error
 * (a rate-limit go-back, a fault that outlasted them). A plain property, like `permanent`, so the
 * queue can count them without importing a provider.
 */
export function providerRetriesOf(error: unknown): number {
  const n = error instanceof Error ? (error as Error & { providerRetries?: unknown }).providerRetries : undefined;
  return typeof n === 'number' && n > 0 ? n : 0;
}

/** The same error, carrying `retries` provider retries (errors that are not Error objects pass unchanged). */
export function withProviderRetries<E>(error: E, retries: number): E {
  if (error instanceof Error && retries > 0) Object.assign(error, { providerRetries: retries });
  return error;
}
