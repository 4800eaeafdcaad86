import { AgentModelSchema, TierSchema } from '@agent-factory/core';
import { z } from 'zod';

type Issue = z.core.$ZodIssue;

/** An issue in words a caller can act on: the allowed values of an enum, each alternative of a union. */
function issueText(issue: Issue): string {
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map(String).join(', ')}`;
  if (issue.code === 'invalid_union') return issue.errors.map((branch) => (branch[0] ? issueText(branch[0]) : 'invalid')).join(', or ');
  return issue.message;
}

/**
 * The message of an item matching neither form. zod says only "Invalid input" of a union; for an
 * object the object form's own issues are the useful ones ("tier: must be one of simple, …").
 * The MCP SDK appends the item's place (" at requirements[3]").
 */
function itemError(issue: z.core.$ZodRawIssue): string {
  const objectIssues = issue.code === 'invalid_union' && typeof issue.input === 'object' && issue.input !== null && !Array.isArray(issue.input) ? issue.errors[1] : undefined;
  if (!objectIssues?.length) return 'must be a requirement string or an object {id?, requirement, tier?, model?}';
  return objectIssues.map((i) => `${i.path.map(String).join('.') || 'item'}: ${issueText(i)}`).join('; ');
}

/** One item of submit_batch's `requirements`: a requirement string, or one with its id, tier and model. */
export const RequirementItemSchema = z.union(
  [
    z.string(),
    z.object({
      // An integer id is kept as its decimal string, as in files (the batch's checker converts it).
      id: z.union([z.string(), z.number().int()]).optional(),
      requirement: z.string(),
      tier: TierSchema.optional(),
      model: AgentModelSchema.optional(),
    }),
  ],
  { error: itemError },
);
