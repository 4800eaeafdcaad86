import { RequirementTextSchema } from '@agent-factory/core';
import { UsageError } from './usage-error.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads all of stdin as strict UTF-8. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  try {
    return strictUtf8.decode(Buffer.concat(chunks));
  } catch {
    throw new UsageError('the requirement on stdin is not valid UTF-8');
  }
}

/** The requirement from an argument or stdin (`-`), checked: not empty, not too long, valid text. */
export async function readRequirement(arg: string): Promise<string> {
  const text = arg === '-' ? await readStdin() : arg;
  // Node decodes invalid UTF-8 in argv to U+FFFD; no real requirement contains it.
  if (text.includes('\uFFFD')) throw new UsageError('the requirement is not valid UTF-8');
  const checked = RequirementTextSchema.safeParse(text);
  if (!checked.success) throw new UsageError(checked.error.issues[0]?.message ?? 'the requirement is invalid');
  return text.trim();
}
