import { anyBadLine, brokenJson, invalidUtf8Line, junk, tooLongLine, wrongRecord } from './bad-lines.js';
import { apiArray, EXT, place, type BadLine, type Format, type Placed } from './layout.js';
import { caseRng, GOOD, prose, type Rng } from './seeded.js';

/**
 * Deterministic malformed batch inputs: each case is one defect as a file for `submit` and as a body
 * for POST /api/batches. Cases are built one at a time from (seed, seq), so 1,000 of them (some over
 * 1 MB) never sit in memory together.
 */
export const CATEGORIES = [
  'broken-jsonl', 'wrong-types', 'not-an-object', 'empty', 'whitespace', 'too-long', 'binary', 'invalid-utf8',
  'csv-no-column', 'csv-broken', 'deep-json', 'huge-line', 'bom', 'nul', 'mixed', 'conflict',
] as const;
export type Category = (typeof CATEGORIES)[number];

export interface MalformedInput {
  seq: number;
  category: Category;
  /** What `submit` reads: a name (its extension picks the format) and the bytes. */
  file: { name: string; bytes: Buffer; format: Format };
  /** What `submit` must report: every bad line's number (when it has one) and the reason. */
  expect: { lines: number[]; reason: RegExp };
  /** Extra `submit` flags; e.g. --skip-invalid, which must not rescue a fatal error. */
  args: string[];
  /** The same defect for the API; `indexes` are the bad items a 400 must name, when the body is JSON. */
  api: { body: Buffer; contentType: string; status: 400 | 413 | 415; indexes?: number[] };
}

type Built = Omit<MalformedInput, 'seq' | 'category' | 'file'> & { bytes: Buffer; format: Format };

const b = (text: string): Buffer => Buffer.from(text, 'utf8');
const json = 'application/json';
const NUL = '\u0000';
const BOM = '\uFEFF';

/** A built case from placed lines: the file, its bad lines, and the API body with the same items. */
function fromPlaced(format: Format, placed: Placed, reason: RegExp, args: string[] = []): Built {
  return {
    bytes: placed.bytes,
    format,
    expect: { lines: placed.lines, reason },
    args,
    api: { body: placed.body, contentType: json, status: 400, ...(placed.bodyIsJson ? { indexes: placed.indexes } : {}) },
  };
}

const brokenJsonl = (rng: Rng): Built => {
  const text = brokenJson(rng);
  return fromPlaced('jsonl', place(rng, 'jsonl', [{ line: b(text), api: { raw: b(text) } }]), /not valid JSON/);
};

const wrongTypes = (rng: Rng): Built => {
  if (rng.chance(0.2)) {
    // CSV cells are strings, so only values can be wrong there.
    const [cell, reason] = rng.pick([['huge', /tier must be/], ['3', /tier must be/], ['SIMPLE', /tier must be/]] as const);
    const line = { line: b(`"${rng.pick(GOOD)}",${cell}`), api: { value: { requirement: rng.pick(GOOD), tier: cell } } };
    return fromPlaced('csv', place(rng, 'csv', [line], { header: 'requirement,tier' }), reason);
  }
  const { line, reason } = wrongRecord(rng);
  return fromPlaced('jsonl', place(rng, 'jsonl', [line]), reason);
};

const notAnObject = (rng: Rng): Built => {
  const text = rng.pick(['[1,2]', '[]', 'null', '42', '"Review Terraform plans"', 'true', '-1.5e3', '[{"requirement":"Review plans"}]']);
  const placed = place(rng, 'jsonl', [{ line: b(text), api: { value: JSON.parse(text) as unknown } }]);
  const built = fromPlaced('jsonl', placed, /not a JSON object/);
  // A string is a fine API item, but a scalar as the whole body is refused by the strict JSON parser.
  if (text.startsWith('"') || (!text.startsWith('[') && rng.chance(0.3))) built.api = { body: b(text), contentType: json, status: 400 };
  return built;
};

const empty = (rng: Rng): Built => ({
  bytes: Buffer.alloc(0),
  format: rng.pick(['jsonl', 'csv', 'text'] as const),
  expect: { lines: [], reason: /has no requirements/ },
  args: [],
  api: { body: b(rng.pick(['', '[]', '{"requirements":[]}', '{}', '{"name":"abuse"}'])), contentType: json, status: 400 },
});

const SPACES = [' ', '\t', '\n', '\r\n', '\u00a0', '\u3000', '\u2003', '\f', '\v'];

const whitespace = (rng: Rng): Built => {
  const text = Array.from({ length: rng.int(1, 60) }, () => rng.pick(SPACES)).join('');
  const body = rng.chance(0.5) ? b(text) : apiArray([{ value: text }, { value: ' ' }]);
  return {
    bytes: b(text),
    format: rng.pick(['jsonl', 'csv', 'text'] as const),
    expect: { lines: [], reason: /has no requirements/ },
    args: [],
    api: { body, contentType: json, status: 400 },
  };
};

const tooLong = (rng: Rng): Built => {
  const format = rng.pick(['jsonl', 'csv', 'text'] as const);
  return fromPlaced(format, place(rng, format, [tooLongLine(rng, format)]), /over 8000 characters/);
};

const binary = (rng: Rng): Built => {
  const format = rng.pick(['jsonl', 'text'] as const);
  const bytes = junk(rng);
  const built = fromPlaced(format, place(rng, format, [{ line: bytes, api: { raw: bytes } }]), /not valid UTF-8/);
  const whole = rng.chance(0.5);
  built.api = { body: whole ? bytes : built.api.body, contentType: rng.chance(0.3) ? 'application/octet-stream' : json, status: 400 };
  if (built.api.contentType !== json) built.api.status = 415;
  return built;
};

const invalidUtf8 = (rng: Rng): Built => {
  const format = rng.pick(['jsonl', 'csv', 'text'] as const);
  return fromPlaced(format, place(rng, format, [invalidUtf8Line(rng, format)]), /UTF-8/);
};

const HEADERS = ['id,text', 'prompt', 'requirements', 'req,tier', 'description', '"requirement text"', 'Review Terraform plans', 'name;requirement', 'requirement_text', 'id,tier,model'];

const csvNoColumn = (rng: Rng): Built => {
  const blanks = rng.int(0, 2);
  const rows = Array.from({ length: rng.int(0, 4) }, () => `"${rng.pick(GOOD)}"`);
  const bytes = b(`${'\n'.repeat(blanks)}${rng.pick(HEADERS)}\n${rows.join('\n')}\n`);
  const asCsv = rng.chance(0.4);
  return {
    bytes,
    format: 'csv',
    expect: { lines: [blanks + 1], reason: /no "requirement" column/ },
    args: rng.chance(0.5) ? ['--skip-invalid'] : [],
    api: asCsv ? { body: bytes, contentType: 'text/csv', status: 415 } : { body: apiArray([{ value: { text: rng.pick(GOOD) } }]), contentType: json, status: 400, indexes: [0] },
  };
};

const csvBroken = (rng: Rng): Built => {
  const good = `"${rng.pick(GOOD)}"`;
  const [text, reason, line] = rng.pick([
    [`requirement\n${good}\n"Review plans never closed\n${good}\n`, /quote/, undefined],
    [`requirement\n${good}\n"Review plans never closed\n`, /never closed/, undefined],
    [`requirement\n${good}\n"Review "plans" now"\n`, /quote/, undefined],
    [`requirement,id\n${good},a,extra\n`, /3 fields, but the header has 2/, 2],
    [`requirement,id,Requirement\n${good},a,b\n`, /twice/, 1],
  ] as const);
  const bytes = b(text);
  const asCsv = rng.chance(0.5);
  return {
    bytes,
    format: 'csv',
    expect: { lines: line === undefined ? [] : [line], reason },
    args: [],
    api: { body: bytes, contentType: asCsv ? 'text/csv' : json, status: asCsv ? 415 : 400 },
  };
};

const deepJson = (rng: Rng): Built => {
  const depth = rng.int(10_000, 10_500);
  const [text, reason] = rng.pick([
    [`{"requirement":${'['.repeat(depth)}${']'.repeat(depth)}}`, /"requirement" must be a string/],
    [`{"requirement":"Review plans","meta":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`, /unknown field "meta"/],
    [`${'['.repeat(depth)}${']'.repeat(depth)}`, /not a JSON object/],
  ] as const);
  const built = fromPlaced('jsonl', place(rng, 'jsonl', [{ line: b(text), api: { raw: b(text) } }]), reason);
  // The API may nest far deeper within its 1 MB: up to 400,000 levels.
  const apiDepth = rng.pick([10_000, 100_000, 400_000]);
  const body = rng.chance(0.5)
    ? b(`[${'['.repeat(apiDepth)}${']'.repeat(apiDepth)}]`)
    : b(`{"requirements":[{"requirement":${'{"a":'.repeat(apiDepth / 4)}1${'}'.repeat(apiDepth / 4)}}]}`);
  built.api = { body, contentType: json, status: 400, indexes: [0] };
  return built;
};

const hugeLine = (rng: Rng): Built => {
  const format = rng.pick(['jsonl', 'csv', 'text'] as const);
  const text = prose(rng, rng.int(66_000, 300_000));
  const line = format === 'jsonl' ? `{"requirement":"${text}"}` : format === 'csv' ? `"${text}"` : text;
  const placed = place(rng, format, [{ line: b(line), api: { value: text } }]);
  // A CSV record that long ends the file (the parser cannot tell where it would stop).
  const built = fromPlaced(format, placed, format === 'csv' ? /record over 64 KB/ : /line over 64 KB/);
  if (format === 'csv') built.expect.lines = [];
  // Over the API's 1 MB body limit by up to half a megabyte.
  built.api = { body: b(`["${prose(rng, 1024 * 1024 + rng.int(1, 512 * 1024))}"]`), contentType: json, status: 413 };
  return built;
};

const bom = (rng: Rng): Built => {
  const good = JSON.stringify({ requirement: rng.pick(GOOD) });
  const variant = rng.int(0, 5);
  if (variant === 0) {
    // Two BOMs: a reader strips the first one only.
    const bytes = b(`${BOM}${BOM}${good}\n${good}\n`);
    return { bytes, format: 'jsonl', expect: { lines: [1], reason: /not valid JSON/ }, args: [], api: { body: b(`${BOM}${BOM}[${good}]`), contentType: json, status: 400 } };
  }
  if (variant === 1) {
    const bytes = b(`requ${BOM}irement\n"${rng.pick(GOOD)}"\n`);
    return { bytes, format: 'csv', expect: { lines: [1], reason: /no "requirement" column/ }, args: [], api: { body: b(`[{"requ${BOM}irement":"Review plans"}]`), contentType: json, status: 400, indexes: [0] } };
  }
  const text = [`${BOM}${good}`, good.replace('":', `":${BOM}`), `${good}${BOM}`, good.replace('{', `{${BOM}`)][variant - 2] ?? good;
  const placed = place(rng, 'jsonl', [{ line: b(text), api: { raw: b(text) } }]);
  if (variant === 2 && placed.lines[0] === 1) {
    // One BOM before the whole file is fine; it is odd only after a good first line.
    placed.bytes = Buffer.concat([b(`${good}\n`), placed.bytes]);
    placed.lines = [2];
  }
  return fromPlaced('jsonl', placed, /not valid JSON/);
};

const nul = (rng: Rng): Built => {
  const requirement = rng.pick(GOOD);
  const at = rng.int(1, requirement.length - 1);
  const withNul = `${requirement.slice(0, at)}${NUL}${requirement.slice(at)}`;
  const blank = `${NUL.repeat(rng.int(1, 20))}${rng.pick(['', '\u200b', '\u202e', BOM, '\u0007'])}`;
  const variant = rng.int(0, 4);
  if (variant === 0) return fromPlaced('jsonl', place(rng, 'jsonl', [{ line: b(JSON.stringify({ requirement }).replace(requirement, withNul)), api: { raw: b(`"${withNul}"`) } }]), /not valid JSON/);
  if (variant === 1) return fromPlaced('jsonl', place(rng, 'jsonl', [{ line: b(`${NUL}${JSON.stringify({ requirement })}`), api: { raw: b(`${NUL}"${requirement}"`) } }]), /not a JSON object/);
  // Only NULs and invisible characters: nothing is left once they are dropped, so it is empty.
  if (variant === 2) return fromPlaced('text', place(rng, 'text', [{ line: b(blank), api: { value: blank } }]), /empty/);
  if (variant === 3) return fromPlaced('csv', place(rng, 'csv', [{ line: b(`"${blank}"`), api: { value: blank } }]), /empty/);
  return fromPlaced('jsonl', place(rng, 'jsonl', [{ line: b(JSON.stringify({ requirement: blank })), api: { value: { requirement: blank } } }]), /empty/);
};

const mixed = (rng: Rng): Built => {
  const format = rng.pick(['jsonl', 'csv', 'text'] as const);
  const bad = Array.from({ length: rng.int(1, 3) }, () => anyBadLine(rng, format));
  const placed = place(rng, format, bad, { maxGoods: 60 });
  return fromPlaced(format, placed, new RegExp(`${bad.length} bad line\\(s\\), nothing was enqueued`));
};

const conflict = (rng: Rng): Built => {
  const record = (fields: object): BadLine => {
    const value = { requirement: rng.pick(GOOD), ...fields };
    return { line: b(JSON.stringify(value)), api: { value } };
  };
  const variant = rng.int(0, 2);
  if (variant === 2) {
    // The batch's tenant comes from the flag (or the body); a record naming another one is refused.
    const placed = place(rng, 'jsonl', [record({ tenant: 'globex' })], { envelope: { tenant: 'acme' } });
    return fromPlaced('jsonl', placed, /tenant "globex" differs from the batch's tenant "acme"/, ['--tenant', 'acme']);
  }
  const rows = variant === 0 ? [record({ id: 'dup' }), record({ id: 'dup' })] : [record({ tenant: 'acme' }), record({ tenant: 'globex' })];
  const placed = place(rng, 'jsonl', rows);
  const built = fromPlaced('jsonl', placed, variant === 0 ? /duplicate id "dup" \(first on line \d+\)/ : /tenant "globex" differs/);
  // Only the second record is wrong: the first one set the id (or the tenant).
  built.expect.lines = placed.lines.slice(1);
  if (built.api.indexes) built.api.indexes = built.api.indexes.slice(1);
  return built;
};

const BUILDERS: Record<Category, (rng: Rng) => Built> = {
  'broken-jsonl': brokenJsonl, 'wrong-types': wrongTypes, 'not-an-object': notAnObject, empty, whitespace, 'too-long': tooLong,
  binary, 'invalid-utf8': invalidUtf8, 'csv-no-column': csvNoColumn, 'csv-broken': csvBroken, 'deep-json': deepJson,
  'huge-line': hugeLine, bom, nul, mixed, conflict,
};

/** Case `seq` of the run `seed`: categories take turns, so 1,000 cases cover each about 62 times. */
export function malformedInput(seed: number, seq: number): MalformedInput {
  const category = CATEGORIES[seq % CATEGORIES.length] as Category;
  const { bytes, format, ...rest } = BUILDERS[category](caseRng(seed, seq));
  return { seq, category, file: { name: `case-${String(seq).padStart(4, '0')}-${category}${EXT[format]}`, bytes, format }, ...rest };
}
