import type { FrontmatterField } from './parse.js';

/**
 * One `key: value` line whose meaning YAML leaves no room to doubt: a key of letters, digits, `_`
 * and `-`, then one space, then a plain scalar that starts with a letter and holds no YAML
 * indicator that matters mid-line (no `:`, `#`, brackets or trailing space) or a double-quoted
 * scalar that is also a JSON string (printable characters, JSON's escapes only).
 */
const LINE = /^([A-Za-z][A-Za-z0-9_-]{0,127}): (?:(\p{L}(?:[\p{L}\p{N} .,;()'/+\-—!?&%@*"]*[\p{L}\p{N}.,;()'/+\-—!?&%@*"])?)|("(?:[^"\\\p{C}\p{Zl}\p{Zp}]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"))$/u;
/**
 * LINE with ASCII letters and digits for \p{L} and \p{N}, and printable ASCII for a quoted scalar's
 * characters: a line it matches, LINE matches with the same groups, about seven times faster. Lines
 * it does not match (accented letters, other scripts) go to LINE.
 */
const ASCII_LINE = /^([A-Za-z][A-Za-z0-9_-]{0,127}): (?:([A-Za-z](?:[A-Za-z0-9 .,;()'/+\-—!?&%@*"]*[A-Za-z0-9.,;()'/+\-—!?&%@*"])?)|("(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"))$/;
/** Plain scalars that YAML 1.2's core schema reads as null or a boolean, not as a string. */
const NOT_A_STRING = /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;

/**
 * The fields of a frontmatter written the way the factory writes it, read without the YAML library
 * (its parse was the validator's largest cost). Undefined for anything else (comments, blank or
 * indented lines, lists, numbers, repeated keys …), which the library then reads: every input either
 * gets exactly the library's fields or goes to the library.
 */
export function readPlainFrontmatter(src: string, firstLine: number): Map<string, FrontmatterField> | undefined {
  if (!src.endsWith('\n')) return undefined;
  const fields = new Map<string, FrontmatterField>();
  let line = firstLine;
  for (let from = 0; from < src.length; line++) {
    const end = src.indexOf('\n', from);
    const text = src.slice(from, end);
    const m = ASCII_LINE.exec(text) ?? LINE.exec(text);
    from = end + 1;
    if (!m) return undefined;
    const [, key = '', plain, quoted = '""'] = m;
    if (NOT_A_STRING.test(key) || fields.has(key) || (plain !== undefined && NOT_A_STRING.test(plain))) return undefined;
    fields.set(key, { value: plain ?? (JSON.parse(quoted) as string), line });
  }
  return fields.size > 0 ? fields : undefined;
}
