/** Hard cap on one line's bytes: a requirement is at most 8,000 characters, JSON-escaped well under this. */
export const MAX_LINE_BYTES = 64 * 1024;

/** One physical line: its text, or why it cannot be read. Blank lines are not reported. */
export type RawLine = { line: number; text: string } | { line: number; error: string };

const LF = 0x0a;
const CR = 0x0d;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Buffer, line: number): RawLine | undefined {
  const start = line === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const text = bytes.toString('utf8', start);
  // toString is fast but lenient; only a line showing U+FFFD pays for the strict decoder.
  if (text.includes('\uFFFD')) {
    try {
      strictUtf8.decode(bytes.subarray(start));
    } catch {
      return { line, error: 'not valid UTF-8' };
    }
  }
  return text.trim() === '' ? undefined : { line, text };
}

/**
 * Splits a byte stream into lines, one batch per chunk (cheaper than one promise per line). A line
 * ends at LF, CRLF or a lone CR (old Mac files), so no two requirements ever share a line.
 * Memory stays bounded: a line over `maxBytes` is dropped as it streams and reported as too long.
 */
export async function* splitLines(source: AsyncIterable<Buffer>, maxBytes = MAX_LINE_BYTES): AsyncGenerator<RawLine[]> {
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let tooLong = false;
  let lineNo = 0;
  // The last line ended at a CR: an LF right after it (maybe in the next chunk) is that same line end.
  let afterCr = false;
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
    let start = afterCr && chunk[0] === LF ? 1 : 0;
    // Two indexOf scans (each a memchr) instead of a byte loop; each only moves past a line end it found.
    let lf = chunk.indexOf(LF, start);
    let cr = chunk.indexOf(CR, start);
    afterCr = false;
    while (lf !== -1 || cr !== -1) {
      const end = cr === -1 || (lf !== -1 && lf < cr) ? lf : cr;
      finish(chunk.subarray(start, end), out);
      start = end + 1;
      if (end === cr) {
        if (start === chunk.length) afterCr = true;
        else if (chunk[start] === LF) start++;
        cr = chunk.indexOf(CR, start);
      }
      if (lf !== -1 && lf < start) lf = chunk.indexOf(LF, start);
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
