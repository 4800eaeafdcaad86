import type { DocsSource } from './ports/docs-source.js';
import type { Analysis } from './schemas/analysis.js';
import type { Research } from './schemas/research.js';

export interface ResearchOptions {
  /** Token budget of the compressed research handed to generation (default 1,500). */
  budgetTokens?: number;
}

// STUB: owned by the research helper.
/** Looks up the docs for the requirement's libraries and compresses them to the budget. */
export async function research(analysis: Analysis, source: DocsSource, options: ResearchOptions = {}): Promise<Research> {
  throw new Error(`not implemented ${analysis.requirement.length} ${source.name} ${String(options.budgetTokens)}`);
}
