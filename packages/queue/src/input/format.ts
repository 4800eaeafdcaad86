import { extname } from 'node:path';
import { z } from 'zod';

export const INPUT_FORMATS = ['jsonl', 'csv', 'text'] as const;
export const InputFormatSchema = z.enum(INPUT_FORMATS);
export type InputFormat = z.infer<typeof InputFormatSchema>;

const BY_EXTENSION: Record<string, InputFormat> = { '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.csv': 'csv', '.txt': 'text' };

/** The format a file's extension names, or undefined when it names none (then the content decides). */
export function formatFromPath(path: string): InputFormat | undefined {
  return BY_EXTENSION[extname(path).toLowerCase()];
}

/** Guesses the format from the first non-blank line: a JSON object, a CSV header naming `requirement`, else text. */
export function sniffFormat(firstLine: string): InputFormat {
  const line = firstLine.replace(/^\uFEFF/, '').trim();
  if (line.startsWith('{')) return 'jsonl';
  const cells = line.split(/[,;\t]/).map((c) => c.trim().replace(/^"|"$/g, '').trim().toLowerCase());
  return cells.includes('requirement') ? 'csv' : 'text';
}
