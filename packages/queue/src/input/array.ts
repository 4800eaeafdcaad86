import type { BatchItemInput } from '../producer.js';
import { RequirementsInputError } from './errors.js';
import { RecordChecker } from './record-checker.js';

export interface ArrayProblem {
  /** The item's 0-based index in the requirements array. */
  index: number;
  message: string;
}

export interface ArrayCheckResult {
  valid: number;
  invalid: number;
  errors: ArrayProblem[];
  /** The good items, ids defaulting to `item-<index>`. */
  items: BatchItemInput[];
  tenant?: string;
}

export interface ArrayCheckOptions {
  tenant?: string;
  maxErrors?: number;
  /** More items than this is an error of the whole body. Default 100,000. */
  maxItems?: number;
}

function requirementsOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (typeof body === 'object' && body !== null && 'requirements' in body && Array.isArray(body.requirements)) return body.requirements as unknown[];
  throw new RequirementsInputError('the body must be an array of requirements or {"requirements": [...]}');
}

/**
 * The same checks as a file, for an API body: an array of strings or of objects like the JSONL lines,
 * or `{requirements: [...]}`. Throws RequirementsInputError when the body as a whole is wrong.
 */
export function checkRequirementsArray(body: unknown, options: ArrayCheckOptions = {}): ArrayCheckResult {
  const list = requirementsOf(body);
  const maxItems = options.maxItems ?? 100_000;
  if (list.length === 0) throw new RequirementsInputError('no requirements');
  if (list.length > maxItems) throw new RequirementsInputError(`${list.length} requirements, at most ${maxItems} per batch`);
  const checker = new RecordChecker({ tenant: options.tenant, idPrefix: 'item-', where: 'at index' });
  const maxErrors = options.maxErrors ?? 100;
  const result: ArrayCheckResult = { valid: 0, invalid: 0, errors: [], items: [] };
  list.forEach((value, index) => {
    const checked =
      typeof value === 'string'
        ? checker.check(index, { requirement: value })
        : typeof value === 'object' && value !== null && !Array.isArray(value)
          ? checker.check(index, value)
          : { index, error: 'must be a string or an object like {"requirement": "..."}' };
    if ('item' in checked) {
      result.valid++;
      result.items.push(checked.item);
    } else {
      result.invalid++;
      if (result.errors.length < maxErrors) result.errors.push({ index, message: checked.error });
    }
  });
  if (checker.tenant !== undefined) result.tenant = checker.tenant;
  return result;
}
