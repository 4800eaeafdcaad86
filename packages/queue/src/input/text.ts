import { splitLines } from './lines.js';
import type { RawRecord } from './raw-record.js';

/** Plain text: one requirement a line, trimmed; blank lines skipped. */
export async function* readText(source: AsyncIterable<Buffer>): AsyncGenerator<RawRecord[]> {
  for await (const lines of splitLines(source)) {
    yield lines.map((l) => ('error' in l ? l : { line: l.line, value: { requirement: l.text.trim() } }));
  }
}
