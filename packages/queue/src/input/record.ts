import { HAS_CONTROL_CHARACTERS, quoted, RequirementSchema } from '@agent-factory/core';
import { z } from 'zod';
import { TenantSchema } from '../batch.js';
import type { BatchItemInput } from '../producer.js';

/**
 * An input's id: a string, or an integer as exported from a database table (kept as its decimal
 * string, so 7 and "7" are the same id). Only safe integers: JSON.parse rounds a larger one, and two
 * 64-bit ids would then silently become one.
 */
const InputIdSchema = z.union([RequirementSchema.shape.id.unwrap(), z.number().int().transform(String)]);

/**
 * One input record: a JSONL line, a CSV row or an API item. Strict, so a typo like "teir" is an error
 * instead of a silently ignored field. `tenant` is checked here and resolved per batch by the scanner.
 */
export const InputRecordSchema = RequirementSchema.extend({ id: InputIdSchema.optional(), tenant: TenantSchema.optional() }).strict();
export const RECORD_FIELDS = Object.keys(InputRecordSchema.shape);

export type CheckedRecord = { item: Omit<BatchItemInput, 'id'> & { id?: string }; tenant?: string } | { error: string };

const FIELD_HINTS: Record<string, string> = {
  tier: 'tier must be simple, standard or complex',
  model: 'model must be haiku, sonnet, opus, inherit or a full claude-… id',
  id: 'id must be a string of 1 to 200 characters, or an integer below 2^53 (quote a larger one)',
  tenant: 'tenant must be a string of 1 to 100 characters',
};

/** A character that is neither whitespace, a control character (Cc) nor a format character (Cf). */
const VISIBLE = /[^\s\p{Cc}\p{Cf}]/u;

function describe(issue: z.core.$ZodIssue): string {
  const field = issue.path.map(String).join('.');
  if (field === '') {
    if (issue.code === 'unrecognized_keys') return `unknown field ${issue.keys.map((k) => quoted(k)).slice(0, 3).join(', ')} (fields: ${RECORD_FIELDS.join(', ')})`;
    return 'not a JSON object';
  }
  if (field === 'requirement') {
    if (issue.code === 'invalid_type') return issue.message.endsWith('received undefined') ? 'missing "requirement"' : '"requirement" must be a string';
    return issue.message;
  }
  if (issue.message === HAS_CONTROL_CHARACTERS) return `${field} ${HAS_CONTROL_CHARACTERS}`;
  return FIELD_HINTS[field] ?? `${field}: ${issue.message}`;
}

/** Checks one record with RequirementSchema (plus tenant); an error is one short reason. */
export function checkRecord(value: unknown): CheckedRecord {
  const parsed = InputRecordSchema.safeParse(value);
  if (!parsed.success) return { error: [...new Set(parsed.error.issues.slice(0, 3).map(describe))].join('; ') };
  const { tenant, ...item } = parsed.data;
  // Invalid bytes decode to U+FFFD (CSV, HTTP bodies); no real requirement contains it.
  if (item.requirement.includes('\uFFFD')) return { error: 'the requirement is not valid UTF-8 (it contains U+FFFD)' };
  // Analysis drops control and invisible characters (NUL, zero-width, bidi, BOM): a requirement made only
  // of them is empty, and would otherwise yield a generic agent from nothing.
  if (!VISIBLE.test(item.requirement)) return { error: 'the requirement is empty (only control or invisible characters)' };
  return tenant === undefined ? { item } : { item, tenant };
}
