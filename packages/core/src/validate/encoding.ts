/** Why an agent file's bytes are not UTF-8 text, at the line of the first bad byte. */
export interface EncodingProblem {
  line: number;
  message: string;
}

export type DecodedAgentFile = { text: string } | { problem: EncodingProblem };

const SAVE_AS_UTF8 = 'save the file as UTF-8 (without BOM) in your editor, or convert it with `iconv`: Claude Code reads agent files as UTF-8';
/** `---` in UTF-16, as every agent file starts. */
const DASHES_LE = [0x2d, 0, 0x2d, 0, 0x2d, 0];
const DASHES_BE = [0, 0x2d, 0, 0x2d, 0, 0x2d];
/** Fatal: a file Claude Code would read with U+FFFD in place of its bytes is reported, not guessed at. Keeps the BOM for gate 1's no-bom rule. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** Bytes sampled for NULs at alternating offsets, the mark of UTF-16 without a BOM. */
const UTF16_SAMPLE = 4096;

/** 1-based line of a byte offset: LF bytes before it, as every encoding we name here keeps them. */
function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** The offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    // Lead byte → sequence length and the range its second byte must fall in (no overlongs, no surrogates, ≤ U+10FFFF).
    const [length, lo, hi] = b >= 0xc2 && b <= 0xdf ? [2, 0x80, 0xbf]
      : b === 0xe0 ? [3, 0xa0, 0xbf] : b === 0xed ? [3, 0x80, 0x9f] : b >= 0xe1 && b <= 0xef ? [3, 0x80, 0xbf]
        : b === 0xf0 ? [4, 0x90, 0xbf] : b === 0xf4 ? [4, 0x80, 0x8f] : b >= 0xf1 && b <= 0xf3 ? [4, 0x80, 0xbf] : [0, 0, 0];
    if (length === 0) return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += length;
  }
  return bytes.length;
}

/** `LE`/`BE` when the bytes are UTF-16 by their BOM or by NULs in every other byte (ASCII text in UTF-16). */
function utf16Kind(bytes: Uint8Array): { order: 'LE' | 'BE'; by: string } | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { order: 'LE', by: 'its byte-order mark' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { order: 'BE', by: 'its byte-order mark' };
  if (DASHES_LE.every((b, i) => bytes[i] === b)) return { order: 'LE', by: 'its first line, `---` in UTF-16' };
  if (DASHES_BE.every((b, i) => bytes[i] === b)) return { order: 'BE', by: 'its first line, `---` in UTF-16' };
  const n = Math.min(bytes.length, UTF16_SAMPLE) & ~1;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) even++;
    if (bytes[i + 1] === 0) odd++;
  }
  // Mostly-ASCII UTF-16 has a NUL in nearly every pair; a third is a generous floor for other scripts.
  if (n > 0 && Math.max(even, odd) * 6 >= n) return { order: odd > even ? 'LE' : 'BE', by: 'the NUL bytes between its characters' };
  return undefined;
}

/**
 * An agent file's bytes as text, or why they are not UTF-8: a Latin-1 `é` (0xE9) or a UTF-16 file
 * would otherwise be read with replacement characters and misjudged by every gate.
 */
export function decodeAgentFile(bytes: Uint8Array): DecodedAgentFile {
  const utf16 = utf16Kind(bytes);
  if (utf16) return { problem: { line: 1, message: `The file is UTF-16 ${utf16.order} (by ${utf16.by}), not UTF-8; ${SAVE_AS_UTF8}.` } };
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    const line = lineAt(bytes, nul);
    return { problem: { line, message: `The file has a NUL byte on line ${line} (offset ${nul}), which a text file never holds: it is binary, or in an encoding such as UTF-16; delete the byte, or ${SAVE_AS_UTF8}.` } };
  }
  try {
    return { text: UTF8.decode(bytes) };
  } catch {
    const at = firstInvalidUtf8(bytes);
    const byte = (bytes[at] ?? 0).toString(16).toUpperCase().padStart(2, '0');
    const line = lineAt(bytes, at);
    return { problem: { line, message: `The file is not UTF-8: byte 0x${byte} on line ${line} (offset ${at}) is no UTF-8 character, as in Latin-1 or Windows-1252 files; ${SAVE_AS_UTF8}.` } };
  }
}
