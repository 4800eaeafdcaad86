import type { BadLine, Format } from './layout.js';
import { GOOD, prose, type Rng } from './seeded.js';

// Single bad lines (and the same defect as an API item), shared by the malformed-input categories.

const b = (text: string): Buffer => Buffer.from(text, 'utf8');
const NUL = '\u0000';

/** A JSONL line that JSON.parse refuses, though it starts like an object. */
export function brokenJson(rng: Rng): string {
  const good = JSON.stringify({ requirement: rng.pick(GOOD) });
  return rng.pick([
    () => good.slice(0, rng.int(1, good.length - 1)),
    () => good.replace(/}$/, ',}'),
    () => good.replace(/"/g, "'"),
    () => good.replace('"requirement"', 'requirement'),
    () => `${good}${good}`,
    () => good.replace('":', '" '),
    () => '{"requirement": "ends in a backslash\\"}',
    () => '{"requirement": "bad escape \\x41"}',
  ])();
}

/** Records of the right shape with a wrong field, and what `submit` says about each. */
const WRONG_RECORDS: [unknown, RegExp][] = [
  [{ requirement: 5 }, /"requirement" must be a string/],
  [{ requirement: null }, /"requirement" must be a string/],
  [{ requirement: true }, /"requirement" must be a string/],
  [{ requirement: ['review code'] }, /"requirement" must be a string/],
  [{ requirement: { text: 'review code' } }, /"requirement" must be a string/],
  [{}, /missing "requirement"/],
  [{ id: 'no-text' }, /missing "requirement"/],
  [{ requirement: '' }, /the requirement is empty/],
  [{ requirement: 'Review plans', tier: 3 }, /tier must be/],
  [{ requirement: 'Review plans', tier: 'huge' }, /tier must be/],
  [{ requirement: 'Review plans', tier: null }, /tier must be/],
  [{ requirement: 'Review plans', model: 'gpt-4' }, /model must be/],
  [{ requirement: 'Review plans', model: 7 }, /model must be/],
  [{ requirement: 'Review plans', id: 7.5 }, /id must be/],
  [{ requirement: 'Review plans', id: 2 ** 53 }, /id must be/],
  [{ requirement: 'Review plans', id: true }, /id must be/],
  [{ requirement: 'Review plans', id: '' }, /id must be/],
  [{ requirement: 'Review plans', id: 'x'.repeat(201) }, /id must be/],
  [{ requirement: 'Review plans', tenant: '' }, /tenant must be/],
  [{ requirement: 'Review plans', tenant: 'x'.repeat(101) }, /tenant must be/],
  [{ requirement: 'Review plans', teir: 'simple' }, /unknown field "teir"/],
  [{ prompt: 'Review plans' }, /unknown field "prompt"|missing "requirement"/],
  [{ requirement: 'Review plans', __proto__x: 1 }, /unknown field/],
];

export function wrongRecord(rng: Rng): { line: BadLine; reason: RegExp } {
  const [value, reason] = rng.pick(WRONG_RECORDS);
  return { line: { line: b(JSON.stringify(value)), api: { value } }, reason };
}

/** One requirement over the limit, as a line in `format`. */
export function tooLongLine(rng: Rng, format: Format): BadLine {
  const text = prose(rng, rng.int(8001, 30_000));
  const line = format === 'jsonl' ? JSON.stringify({ requirement: text }) : format === 'csv' ? `"${text}"` : text;
  return { line: b(line), api: { value: text } };
}

/** Random bytes on one line (no LF or CR) with at least one byte that is never valid UTF-8. */
export function junk(rng: Rng): Buffer {
  const bytes = Buffer.from(Array.from({ length: rng.int(8, 3000) }, () => rng.pick([rng.int(0, 9), rng.int(11, 12), rng.int(14, 255)])));
  bytes[rng.int(0, bytes.length - 1)] = rng.pick([0xff, 0xfe, 0xc0, 0xf8]);
  return bytes;
}

/** Byte sequences no UTF-8 decoder may accept: lone bytes, overlong, surrogates, truncated, past U+10FFFF. */
const BAD_UTF8 = [[0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc3]];

function withBadBytes(rng: Rng, text: string): Buffer {
  const at = rng.int(1, text.length - 1);
  return Buffer.concat([b(text.slice(0, at)), Buffer.from(rng.pick(BAD_UTF8)), b(text.slice(at))]);
}

export function invalidUtf8Line(rng: Rng, format: Format): BadLine {
  const text = withBadBytes(rng, rng.pick(GOOD));
  const quote = (open: string, close: string): Buffer => Buffer.concat([b(open), text, b(close)]);
  const line = format === 'jsonl' ? quote('{"requirement":"', '"}') : format === 'csv' ? quote('"', '"') : text;
  return { line, api: { raw: quote('"', '"'), json: true } };
}

/** A bad line of any kind `format` can have. */
export function anyBadLine(rng: Rng, format: Format): BadLine {
  const nulOnly = NUL.repeat(rng.int(1, 5));
  if (format === 'jsonl') {
    return rng.pick([
      () => wrongRecord(rng).line,
      () => {
        const text = b(brokenJson(rng));
        return { line: text, api: { raw: text } };
      },
      () => tooLongLine(rng, format),
      () => invalidUtf8Line(rng, format),
      () => ({ line: b('null'), api: { value: null } }),
    ])();
  }
  if (format === 'csv') return rng.pick([() => tooLongLine(rng, format), () => invalidUtf8Line(rng, format), () => ({ line: b(`"${nulOnly}"`), api: { value: nulOnly } })])();
  return rng.pick([() => tooLongLine(rng, format), () => invalidUtf8Line(rng, format), () => ({ line: b(nulOnly), api: { value: nulOnly } })])();
}
