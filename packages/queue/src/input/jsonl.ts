import { escapeControls } from '@agent-factory/core';
import { splitLines } from './lines.js';
import type { RawRecord } from './raw-record.js';

function parseLine(line: number, text: string): RawRecord {
  // A cheap first look: anything but an object is an error without JSON.parse's message.
  const start = text.trimStart();
  if (start[0] !== '{') {
    // Words where JSON would be: most likely a plain-text file read as JSONL.
    const words = /^\p{L}/u.test(start) && !/^(true|false|null)\b/.test(start);
    return { line, error: words ? 'not JSON (each line of a JSONL file is a JSON object; is this plain text? --format text)' : 'not a JSON object' };
  }
  try {
    return { line, value: JSON.parse(text) as unknown };
  } catch (error) {
    // V8 quotes the text around the fault, control characters and all.
    const reason = escapeControls((error as Error).message.replace(/ \(line \d+ column \d+\)$/, ''));
    return { line, error: `not valid JSON: ${reason.length > 80 ? `${reason.slice(0, 80)}…` : reason}` };
  }
}

/** JSONL: one JSON object a line; blank lines skipped. Line length is capped before parsing. */
export async function* readJsonl(source: AsyncIterable<Buffer>): AsyncGenerator<RawRecord[]> {
  for await (const lines of splitLines(source)) {
    yield lines.map((l) => ('error' in l ? l : parseLine(l.line, l.text)));
  }
}
