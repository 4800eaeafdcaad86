import { GOOD, type Rng } from './seeded.js';

/** The three input formats `submit` reads; the file extension picks one. */
export type Format = 'jsonl' | 'csv' | 'text';
export const EXT: Record<Format, string> = { jsonl: '.jsonl', csv: '.csv', text: '.txt' };

/**
 * An item of the API body: a JSON value, or raw bytes spliced in as they are. `json` says the raw bytes
 * still make valid JSON syntax (invalid UTF-8 inside a string), so the API must name the item.
 */
export type ApiItem = { value: unknown } | { raw: Buffer; json?: boolean };

/** One defect: how it looks as a line of the file, and as an item of the API's array. */
export interface BadLine {
  line: Buffer;
  api: ApiItem;
}

/** A file with bad lines among good ones, where they are, and the API body with the same items. */
export interface Placed {
  bytes: Buffer;
  /** 1-based line numbers of the bad lines (a CSV header counts). */
  lines: number[];
  /** 0-based indexes of the bad items in the API array. */
  indexes: number[];
  body: Buffer;
  /** False when a raw item breaks the body's JSON (then the API answers invalid_json, not per item). */
  bodyIsJson: boolean;
}

const b = (text: string): Buffer => Buffer.from(text, 'utf8');

/** A good line in `format`, and the same requirement as an API item. */
function good(rng: Rng, format: Format): BadLine {
  const requirement = rng.pick(GOOD);
  const line = format === 'jsonl' ? JSON.stringify({ requirement }) : format === 'csv' ? `"${requirement}"` : requirement;
  return { line: b(line), api: { value: requirement } };
}

/** A JSON array body from items (raw ones go in untouched), or `{...envelope, requirements: [...]}`. */
export function apiArray(items: ApiItem[], envelope?: Record<string, unknown>): Buffer {
  const open = envelope ? `${JSON.stringify(envelope).slice(0, -1)}${Object.keys(envelope).length > 0 ? ',' : ''}"requirements":[` : '[';
  const parts: Buffer[] = [b(open)];
  items.forEach((item, i) => {
    if (i > 0) parts.push(b(','));
    parts.push('raw' in item ? item.raw : b(JSON.stringify(item.value)));
  });
  parts.push(b(envelope ? ']}' : ']'));
  return Buffer.concat(parts);
}

/**
 * Puts `bad` lines at random places among up to `maxGoods` good ones (after a CSV header) and builds the
 * API body with the same items in the same places.
 */
export function place(rng: Rng, format: Format, bad: BadLine[], options: { maxGoods?: number; header?: string; envelope?: Record<string, unknown> } = {}): Placed {
  const total = rng.int(0, options.maxGoods ?? 4) + bad.length;
  const slots = new Set<number>();
  while (slots.size < bad.length) slots.add(rng.int(0, total - 1));
  const order = [...slots].sort((x, y) => x - y);
  const rows: BadLine[] = [];
  let next = 0;
  for (let i = 0; i < total; i++) rows.push(slots.has(i) ? (bad[next++] as BadLine) : good(rng, format));
  const header = format === 'csv' ? [b(options.header ?? 'requirement')] : [];
  const lines = [...header, ...rows.map((r) => r.line)];
  const joined = Buffer.concat(lines.flatMap((line, i) => (i === 0 ? [line] : [b('\n'), line])));
  const items = rows.map((r) => r.api);
  return {
    bytes: rng.chance(0.8) ? Buffer.concat([joined, b('\n')]) : joined,
    lines: order.map((i) => i + 1 + header.length),
    indexes: order,
    // Both body shapes the API takes: a bare array, or the envelope with batch fields.
    body: apiArray(items, options.envelope ?? (rng.chance(0.3) ? { name: 'abuse' } : undefined)),
    bodyIsJson: items.every((i) => 'value' in i || i.json === true),
  };
}
