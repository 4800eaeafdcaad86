/** Hard cap on one line's bytes: a requirement is at most 8,000 characters, JSON-escaped well under this. */
export const MAX_LINE_BYTES = 64 * 1024;

/** One physical line: its text, or why it cannot be read. Blank lines are not reported. */
export type RawLine = { line: number; text: string } | { line: number; error: string };

const NEWLINE = 0x0a;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Buffer, line: number): RawLine | undefined {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0d) end--;
  const start = line === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const text = bytes.toString('utf8', start, end);
  // toString is fast but lenient; only a line showing U+FFFD pays for the strict decoder.
  if (text.includes('\uFFFD')) {
    try {
      strictUtf8.decode(bytes.subarray(start, end));
    } catch {
      return { line, error: 'not valid UTF-8' };
    }
  }
  return text.trim() === '' ? undefined : { line, text };
}

/**
 * Splits a byte stream into lines, one batch per chunk (cheaper than one promise per line).
 * Memory stays bounded: a line over `maxBytes` is dropped as it streams and reported as too long.
 */
export async function* splitLines(source: AsyncIterable<Buffer>, maxBytes = MAX_LINE_BYTES): AsyncGenerator<RawLine[]> {
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let tooLong = false;
  let lineNo = 0;
  const finish = (tail: Buffer, out: RawLine[]): void => {
    lineNo++;
    if (tooLong || carryBytes + tail.length > maxBytes) out.push({ line: lineNo, error: `line over ${Math.round(maxBytes / 1024)} KB` });
    else {
      const line = decode(carryBytes > 0 ? Buffer.concat([...carry, tail]) : tail, lineNo);
      if (line) out.push(line);
    }
    carry = [];
    carryBytes = 0;
    tooLong = false;
  };
  for await (const chunk of source) {
    const out: RawLine[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      finish(chunk.subarray(start, nl), out);
      start = nl + 1;
    }
    if (start < chunk.length && !tooLong) {
      carry.push(chunk.subarray(start));
      carryBytes += chunk.length - start;
      if (carryBytes > maxBytes) {
        tooLong = true;
        carry = [];
      }
    }
    if (out.length > 0) yield out;
  }
  if (carryBytes > 0 || tooLong) {
    const out: RawLine[] = [];
    finish(Buffer.alloc(0), out);
    if (out.length > 0) yield out;
  }
}
