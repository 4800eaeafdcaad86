import type { Analysis } from './schemas/analysis.js';

// STUB: owned by the analysis helper.
/** Reads a requirement into domains, capabilities, constraints, scale, frameworks and more. No I/O. */
export function analyze(requirement: string): Analysis {
  throw new Error(`not implemented: ${requirement.length}`);
}
