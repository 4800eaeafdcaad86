import { splitLines } from './lines.js';
import type { RawRecord } from './raw-record.js';

function parseLine(line: number, text: string): RawRecord {
  // A cheap first look: anything but an object is an error without JSON.parse's message.
  const first = text.trimStart()[0];
  if (first !== '{') return { line, error: first === '[' || first === '"' || /^[-\d]|^(true|false|null)\b/.test(text.trimStart()) ? 'not a JSON object' : 'not JSON (each line of a JSONL file is a JSON object; is this plain text? --format text)' };
  try {
    return { line, value: JSON.parse(text) as unknown };
  } catch (error) {
    const reason = (error as Error).message.replace(/ \(line \d+ column \d+\)$/, '');
    return { line, error: `not valid JSON: ${reason.length > 80 ? `${reason.slice(0, 80)}…` : reason}` };
  }
}

/** JSONL: one JSON object a line; blank lines skipped. Line length is capped before parsing. */
export async function* readJsonl(source: AsyncIterable<Buffer>): AsyncGenerator<RawRecord[]> {
  for await (const lines of splitLines(source)) {
    yield lines.map((l) => ('error' in l ? l : parseLine(l.line, l.text)));
  }
}
