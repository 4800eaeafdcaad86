import { checkRequirementsFile, discardInput, readRequirementsFile, RequirementsInputError, type BatchItemInput, type InputFormat } from '@agent-factory/queue/client';
import { describeProblems } from './input-problems.js';
import { UsageError } from './usage-error.js';

export type IdentifiedRequirement = BatchItemInput;

/**
 * Reads a small requirements file (JSONL, CSV or text, by extension or content) into memory, for the
 * in-process commands. Every record is checked first; any bad one is a usage error naming its line.
 * Batches go through `submit`, which streams instead.
 */
export async function readRequirements(path: string, options: { format?: InputFormat } = {}): Promise<IdentifiedRequirement[]> {
  try {
    const check = await checkRequirementsFile(path, options);
    try {
      if (check.invalid > 0) throw new UsageError(`${path} has ${check.invalid} bad line(s):\n${describeProblems(path, check).join('\n')}`);
      if (check.valid === 0) throw new UsageError(`${path} has no requirements`);
      const items: IdentifiedRequirement[] = [];
      for await (const item of readRequirementsFile(check.path, { format: check.format, tenant: check.tenant })) items.push(item);
      return items;
    } finally {
      await discardInput(check);
    }
  } catch (error) {
    if (error instanceof RequirementsInputError) throw new UsageError(error.message);
    throw error;
  }
}

/** The JSONL reader's old name, kept for its callers; it reads any supported format. */
export const readRequirementsJsonl = (path: string): Promise<IdentifiedRequirement[]> => readRequirements(path);
