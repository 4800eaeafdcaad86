import type { Tier } from '../schemas/requirement.js';

/**
 * The `## ` sections an agent of each tier must have, in the order the generator writes them.
 * Shared by the generator and gate 2, so what we write and what we check never drift apart.
 */
export const TIER_SECTIONS: Record<Tier, readonly string[]> = {
  simple: ['Role', 'Responsibilities', 'Workflow', 'Constraints', 'Output format'],
  standard: [
    'Role', 'Responsibilities', 'Workflow', 'Best practices', 'Constraints', 'Quality checklist',
    'Output format', 'Collaboration',
  ],
  complex: [
    'Role', 'Responsibilities', 'Orchestration', 'Workflow', 'Best practices', 'Constraints',
    'Quality checklist', 'Output format', 'Collaboration',
  ],
};

/** The `### ` subsections under `## Orchestration` (complex tier only). */
export const ORCHESTRATION_SUBSECTIONS: readonly string[] = [
  'Phases', 'Hand-offs', 'Approval points', 'Progress tracking', 'Failure handling',
];

/** The `### ` subsections under `## Responsibilities` (every tier). */
export const RESPONSIBILITY_SUBSECTIONS: readonly string[] = ['Does', 'Does not'];

/** Every `### ` subsection a tier requires. */
export function tierSubsections(tier: Tier): readonly string[] {
  return tier === 'complex' ? [...RESPONSIBILITY_SUBSECTIONS, ...ORCHESTRATION_SUBSECTIONS] : RESPONSIBILITY_SUBSECTIONS;
}
