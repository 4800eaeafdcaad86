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

  constructor(message: string, options: { usage?: Usage; model?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.usage) this.usage = options.usage;
    if (options.model) this.model = options.model;
  }
}

/** Whether the pipeline should answer a provider error with the offline generator. */
export function isOfflineFallbackError(error: unknown): error is Error & { usage?: Usage; model?: string } {
  return error instanceof Error && (error as Error & { offlineFallback?: unknown }).offlineFallback === true;
}

/** Writes agent files: the offline generator, or an LLM behind an adapter. */
export interface LlmProvider {
  readonly name: string;
  generate(request: GenerationRequest, options?: GenerationOptions): Promise<GenerationResult>;
}
