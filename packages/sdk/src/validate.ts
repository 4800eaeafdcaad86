import { readFile } from 'node:fs/promises';
import { validateAgent, validateAgentBytes, type GateReport } from '@agent-factory/core';
import { z } from 'zod';
import { checked } from './checked.js';
import { FactoryInputError } from './errors.js';

/** An agent file to check: its path, or its text. */
export const ValidateInputSchema = z.union([z.strictObject({ path: z.string().min(1) }), z.strictObject({ content: z.string() })]);
export type ValidateInput = z.input<typeof ValidateInputSchema>;

async function readAgentFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FactoryInputError(`no such file: ${path}`);
    if (code === 'EISDIR') throw new FactoryInputError(`${path} is a folder: name one agent file`);
    throw error;
  }
}

/** The four gates' report on one agent file, ours or not (what `agent-factory validate` checks). */
export async function validateAgentFile(input: ValidateInput): Promise<GateReport> {
  const parsed = checked(ValidateInputSchema, input, 'validate');
  // Read as bytes, so a file that is not UTF-8 is reported as such instead of judged on replacement characters.
  return 'content' in parsed ? validateAgent(parsed.content) : validateAgentBytes(await readAgentFile(parsed.path));
}
