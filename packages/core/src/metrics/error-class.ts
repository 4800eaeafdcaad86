/**
 * An error's class for counting: its text with the parts that vary per occurrence (numbers, ids,
 * quoted values) replaced, cut to a bounded length, so the same failure counts as one.
 */
export function errorClass(reason: string): string {
  return reason
    .replace(/"[^"]*"|'[^']*'|`[^`]*`/g, '"…"')
    .replace(/\b[0-9a-f]{8,}\b/gi, '…')
    .replace(/\d+(?:\.\d+)?/g, 'N')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 120);
}
