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
}

/** Writes agent files: the offline generator, or an LLM behind an adapter. */
export interface LlmProvider {
  readonly name: string;
  generate(request: GenerationRequest, options?: GenerationOptions): Promise<GenerationResult>;
}
