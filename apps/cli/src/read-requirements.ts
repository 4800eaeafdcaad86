import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { RequirementSchema, type Requirement } from '@agent-factory/core';
import { UsageError } from './usage-error.js';

/**
 * Reads a JSONL file of requirements ({"id"?, "requirement", "tier"?, "model"?}) line by line.
 * Every bad line is reported with its number; nothing is returned unless all lines are good.
 */
export type IdentifiedRequirement = Requirement & { id: string };

export async function readRequirementsJsonl(path: string): Promise<IdentifiedRequirement[]> {
  const items: IdentifiedRequirement[] = [];
  const problems: string[] = [];
  let lineNo = 0;
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        problems.push(`line ${lineNo}: not valid JSON`);
        continue;
      }
      const parsed = RequirementSchema.safeParse(value);
      if (parsed.success) items.push({ ...parsed.data, id: parsed.data.id ?? `line-${lineNo}` });
      else problems.push(`line ${lineNo}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'line'} ${i.message}`).join('; ')}`);
    }
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  if (problems.length > 0) throw new UsageError(`${path} has ${problems.length} bad line(s): ${problems.slice(0, 5).join(', ')}`);
  return items;
}
