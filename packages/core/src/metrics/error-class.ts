/** An HTTP status (4xx, 5xx) standing alone, not a quantity ("500 ms", "413 tokens"). */
const HTTP_STATUS = /\b([45]\d\d)\b(?!\.\d|\s*(?:ms|s|seconds?|bytes|B|KB|MB|characters|tokens|requests|items|%))/g;

/**
 * An error's class for counting: its text with the parts that vary per occurrence (numbers, ids,
 * quoted values) replaced, cut to a bounded length, so the same failure counts as one. HTTP
 * statuses stay: a 401 and a 529 are different failures with different fixes.
 */
export function errorClass(reason: string): string {
  return reason
    .replace(/"[^"]*"|'[^']*'|`[^`]*`/g, '"…"')
    .replace(/\b[0-9a-f]{8,}\b/gi, '…')
    .replace(HTTP_STATUS, '\u0000$1')
    .replace(/(?<!\u0000\d{0,2})\d+(?:\.\d+)?/g, 'N')
    .replace(/\u0000/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 120);
}
