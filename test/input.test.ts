import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REQUIREMENT_CHARS } from '@agent-factory/core';
import {
  checkRequirementsArray,
  checkRequirementsFile,
  discardInput,
  readRequirementsFile,
  RequirementsInputError,
  type CheckResult,
  type InputOptions,
} from '../packages/queue/src/input/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'af-input-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let fileNo = 0;
async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, `${fileNo++}-${name}`);
  await writeFile(path, content);
  return path;
}

async function collect(path: string, options: InputOptions = {}): Promise<{ id: string; requirement: string }[]> {
  const out: { id: string; requirement: string }[] = [];
  for await (const item of readRequirementsFile(path, options)) out.push(item);
  return out;
}

const line = (value: unknown): string => JSON.stringify(value);
const problems = (check: CheckResult): Record<number, string> => Object.fromEntries(check.errors.map((e) => [e.line, e.message]));

describe('JSONL', () => {
  it('reports every malformed kind with its line number and a short reason', async () => {
    const deep = `{"requirement": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const lines = [
      line({ id: 'a', requirement: 'Review Terraform plans for public S3 buckets.' }), // 1 good
      '', // 2 blank: skipped
      line({ requirement: '' }), // 3
      line({ requirement: '   ' }), // 4
      line({ requirement: 'x'.repeat(MAX_REQUIREMENT_CHARS + 1) }), // 5
      line({ requirement: 'ok', tier: 'huge' }), // 6
      line({ requirement: 'ok', model: 'gpt-4' }), // 7
      line({ requirement: 42 }), // 8
      '{"id": 9007199254740993, "requirement": "ok"}', // 9: an integer JSON cannot hold exactly
      'not json at all', // 10
      '{"requirement": "ok",}', // 11
      '["requirement"]', // 12
      line({ teir: 'simple', requirement: 'typo' }), // 13
      line({}), // 14
      line({ id: 'a', requirement: 'same id again' }), // 15
      deep, // 16
      `{"requirement": "${'y'.repeat(70 * 1024)}"}`, // 17: over the 64 KB line cap
      line({ requirement: 'Audit React hooks.', tier: 'simple', model: 'haiku' }), // 18 good
    ];
    const bytes = Buffer.concat([
      Buffer.from(lines.join('\n') + '\n'),
      Buffer.from('{"requirement": "bad bytes \xff\xfe here"}\n', 'latin1'), // 19: invalid UTF-8
      Buffer.from(line({ id: 20, requirement: 'Last one, no newline.' })), // 20 good: an integer id
    ]);
    const path = await file('mixed.jsonl', bytes);
    const check = await checkRequirementsFile(path);
    expect(check.format).toBe('jsonl');
    expect(check.valid).toBe(3);
    expect(check.invalid).toBe(16);
    const p = problems(check);
    expect(p[3]).toBe('the requirement is empty');
    expect(p[4]).toBe('the requirement is empty');
    expect(p[5]).toBe(`the requirement is over ${MAX_REQUIREMENT_CHARS} characters`);
    expect(p[6]).toMatch(/tier must be simple, standard or complex/);
    expect(p[7]).toMatch(/model must be haiku, sonnet, opus, inherit/);
    expect(p[8]).toBe('"requirement" must be a string');
    expect(p[9]).toBe('id must be a string of 1 to 200 characters, or an integer below 2^53 (quote a larger one)');
    expect(p[10]).toBe('not JSON (each line of a JSONL file is a JSON object; is this plain text? --format text)');
    expect(p[11]).toMatch(/^not valid JSON/);
    expect(p[12]).toBe('not a JSON object');
    expect(p[13]).toMatch(/unknown field "teir"/);
    expect(p[14]).toBe('missing "requirement"');
    expect(p[15]).toBe('duplicate id "a" (first on line 1)');
    expect(p[16]).toBe('"requirement" must be a string');
    expect(p[17]).toBe('line over 64 KB');
    expect(p[19]).toBe('not valid UTF-8');
    expect(Object.keys(p)).toHaveLength(16);

    await expect(collect(path)).rejects.toThrow(/line 3: the requirement is empty/);
    const good = await collect(path, { skipInvalid: true });
    expect(good).toEqual([
      { id: 'a', requirement: 'Review Terraform plans for public S3 buckets.' },
      { id: 'line-18', requirement: 'Audit React hooks.', tier: 'simple', model: 'haiku' },
      { id: '20', requirement: 'Last one, no newline.' },
    ]);
  });

  it('handles a BOM, CRLF line ends and a .ndjson extension', async () => {
    const path = await file('crlf.ndjson', `\uFEFF${line({ requirement: 'one' })}\r\n\r\n${line({ requirement: 'two' })}\r\n`);
    const check = await checkRequirementsFile(path);
    expect(check).toMatchObject({ format: 'jsonl', valid: 2, invalid: 0 });
    expect(await collect(path)).toEqual([
      { id: 'line-1', requirement: 'one' },
      { id: 'line-3', requirement: 'two' },
    ]);
  });

  it('keeps at most maxErrors messages but counts every bad line', async () => {
    const path = await file('many-bad.jsonl', Array.from({ length: 50 }, () => '{}').join('\n'));
    const check = await checkRequirementsFile(path, { maxErrors: 5 });
    expect(check.invalid).toBe(50);
    expect(check.errors.map((e) => e.line)).toEqual([1, 2, 3, 4, 5]);
  });

  it('allows one tenant per batch', async () => {
    const path = await file('tenants.jsonl', [line({ requirement: 'a', tenant: 'acme' }), line({ requirement: 'b' }), line({ requirement: 'c', tenant: 'other' })].join('\n'));
    const check = await checkRequirementsFile(path);
    expect(check.tenant).toBe('acme');
    expect(problems(check)).toEqual({ 3: 'tenant "other" differs from the batch\'s tenant "acme" (one tenant per batch)' });
    expect(problems(await checkRequirementsFile(path, { tenant: 'other' }))).toEqual({ 1: expect.stringMatching(/tenant "acme" differs/) });
  });

  it('says which file is missing', async () => {
    await expect(checkRequirementsFile(join(dir, 'nope.jsonl'))).rejects.toThrow(RequirementsInputError);
    await expect(checkRequirementsFile(join(dir, 'nope.jsonl'))).rejects.toThrow(/no such file/);
  });
});

describe('CSV', () => {
  it('is an error without a requirement column, naming the columns found', async () => {
    const path = await file('nocol.csv', 'id,text,tier\na,Review plans,simple\n');
    const check = await checkRequirementsFile(path);
    expect(check.fatal).toEqual({ line: 1, message: 'no "requirement" column (columns found: "id", "text", "tier")' });
    expect(check.valid).toBe(0);
    await expect(collect(path, { skipInvalid: true })).rejects.toThrow(/line 1: no "requirement" column/);
  });

  it('reads quoted multi-line fields with the right line numbers, and reports bad rows', async () => {
    const csv = [
      'ID,Requirement,Tier,notes', // 1 (any case; extra columns ignored)
      'a,"Review Terraform plans,', // 2
      'with ""quotes"" inside",simple,x', // 3
      '', // 4 blank
      'b,Audit React hooks,,', // 5
      'c,,standard,', // 6 empty requirement
      'd,Fine,huge,', // 7 bad tier
      'e,Too,many,fields,here', // 8
      'f,"Windows\r\nline ends",complex,', // 9-10
      'g,"bad bytes \xff here",,', // 11
      'h', // 12 too few fields: no requirement field at all
    ].join('\r\n');
    const path = await file('multi.csv', Buffer.from(csv, 'latin1'));
    const check = await checkRequirementsFile(path);
    expect(check.format).toBe('csv');
    expect(problems(check)).toEqual({
      6: 'the requirement is empty',
      7: 'tier must be simple, standard or complex',
      8: '5 fields, but the header has 4',
      11: 'the requirement is not valid UTF-8 (it contains U+FFFD)',
      12: '1 field(s), but the header has 4: no "requirement" field',
    });
    expect(await collect(path, { skipInvalid: true })).toEqual([
      { id: 'a', requirement: 'Review Terraform plans,\r\nwith "quotes" inside'.replace('\r\n', '\n'), tier: 'simple' },
      { id: 'b', requirement: 'Audit React hooks' },
      { id: 'f', requirement: 'Windows\nline ends', tier: 'complex' },
    ]);
  });

  it('reads a file with lone CR line ends (old Mac) as one record a line, quoted cells included', async () => {
    const path = await file('mac.csv', 'id,requirement,tier\ra,Review plans,simple\rb,"two\rlines",\rc,Bad tier,huge\r');
    const check = await checkRequirementsFile(path);
    expect(check).toMatchObject({ format: 'csv', valid: 2, invalid: 1 });
    expect(problems(check)).toEqual({ 5: 'tier must be simple, standard or complex' });
    expect(await collect(path, { skipInvalid: true })).toEqual([
      { id: 'a', requirement: 'Review plans', tier: 'simple' },
      { id: 'b', requirement: 'two\nlines' },
    ]);
  });

  it('says which columns it ignores, and refuses a header with a misspelt column even with --skip-invalid', async () => {
    const notes = await file('notes.csv', 'requirement,Tier,notes,user,no,time\nReview plans,simple,x,y,1,z\n');
    expect(await checkRequirementsFile(notes)).toMatchObject({
      valid: 1,
      invalid: 0,
      notices: ['ignoring column(s) "notes", "user", "no", "time": submit reads only requirement, id, tier, model, tenant'],
    });
    expect((await checkRequirementsFile(await file('plain.csv', 'requirement,tier\nReview plans,simple\n'))).notices).toEqual([]);

    const typo = await file('typo.csv', 'id,requirement,teir,Modle,notes\na,Review plans,simple,haiku,x\n');
    const check = await checkRequirementsFile(typo);
    const message = 'column "teir" looks like a misspelt "tier"; column "Modle" looks like a misspelt "model": fix the header (submit reads requirement, id, tier, model, tenant; other columns are ignored)';
    expect(check).toMatchObject({ valid: 0, fatal: { line: 1, message } });
    await expect(collect(typo, { skipInvalid: true })).rejects.toThrow(`line 1: ${message}`);
    // A near miss of a column the header has is another column.
    expect(await checkRequirementsFile(await file('tiers.csv', 'requirement,tier,tiers\nReview plans,simple,x\n'))).toMatchObject({ valid: 1, notices: [expect.stringMatching(/^ignoring column\(s\) "tiers"/)] });
  });

  it('stops at broken quoting (not skippable), with the line where the bad record starts', async () => {
    const path = await file('quote.csv', 'requirement\nfine\n"never closed\nmore\n');
    const check = await checkRequirementsFile(path);
    expect(check.fatal?.line).toBe(3);
    expect(check.fatal?.message).toMatch(/quoted field is never closed/);
    expect(check.valid).toBe(1);
  });

  it('defaults ids to the record line, and says so when another record took that id', async () => {
    const path = await file('ids.csv', 'requirement\nfirst\n\nsecond\n');
    expect(await collect(path)).toEqual([
      { id: 'line-2', requirement: 'first' },
      { id: 'line-4', requirement: 'second' },
    ]);
    const taken = await file('taken.csv', 'id,requirement\nline-3,first\n,second\n');
    expect(problems(await checkRequirementsFile(taken))).toEqual({ 3: 'duplicate id "line-3" (the id a record without one gets on line 3) (first on line 2)' });
  });
});

describe('text', () => {
  it('is one requirement a line, blank lines skipped, ids line-N', async () => {
    const path = await file('reqs.txt', Buffer.concat([Buffer.from('  Review plans  \n\n\t\nAudit hooks\r\n'), Buffer.from('bad \xc3\x28 bytes\n', 'latin1'), Buffer.from(`${'z'.repeat(MAX_REQUIREMENT_CHARS + 1)}\n`)]));
    const check = await checkRequirementsFile(path);
    expect(check).toMatchObject({ format: 'text', valid: 2, invalid: 2 });
    expect(problems(check)).toEqual({ 5: 'not valid UTF-8', 6: `the requirement is over ${MAX_REQUIREMENT_CHARS} characters` });
    expect(await collect(path, { skipInvalid: true })).toEqual([
      { id: 'line-1', requirement: 'Review plans' },
      { id: 'line-4', requirement: 'Audit hooks' },
    ]);
  });

  it('ends a line at a lone CR (old Mac files) as at LF and CRLF, so two requirements never merge', async () => {
    const path = await file('mac.txt', 'Review plans\rAudit hooks\r\rWrite notes\r\nFourth\n');
    expect(await collect(path)).toEqual([
      { id: 'line-1', requirement: 'Review plans' },
      { id: 'line-2', requirement: 'Audit hooks' },
      { id: 'line-4', requirement: 'Write notes' },
      { id: 'line-5', requirement: 'Fourth' },
    ]);
    // A CRLF split between two 256 KB reads is still one line end: the line numbers after it hold.
    const lines = 1 + 3000;
    const split = await file('split.txt', `${'b'.repeat(262_143 % 100)}\r\n${`${'a'.repeat(98)}\r\n`.repeat(lines - 1)}`);
    const check = await checkRequirementsFile(split);
    expect(check).toMatchObject({ valid: lines, invalid: 0 });
    expect((await collect(split)).at(-1)?.id).toBe(`line-${lines}`);
  });

  it('counts characters, not UTF-16 units: 8,000 emoji are a requirement, one more is over the limit', async () => {
    const rocket = '\u{1F680}';
    const path = await file('emoji.txt', `${rocket.repeat(MAX_REQUIREMENT_CHARS)}\n${rocket.repeat(MAX_REQUIREMENT_CHARS + 1)}\n${'\u00e9'.repeat(MAX_REQUIREMENT_CHARS)}\n`);
    const check = await checkRequirementsFile(path);
    expect(check).toMatchObject({ valid: 2, invalid: 1 });
    expect(problems(check)).toEqual({ 2: `the requirement is over ${MAX_REQUIREMENT_CHARS} characters` });
  });

  it('lets --format override the extension, and sniffs an unknown extension', async () => {
    const jsonl = await file('reqs.data', `\n${line({ requirement: 'sniffed as JSONL' })}\n`);
    expect((await checkRequirementsFile(jsonl)).format).toBe('jsonl');
    const csv = await file('reqs.input', 'id,requirement\nx,sniffed as CSV\n');
    expect((await checkRequirementsFile(csv)).format).toBe('csv');
    const forced = await checkRequirementsFile(jsonl, { format: 'text' });
    expect(forced.format).toBe('text');
    expect(await collect(jsonl, { format: 'text' })).toEqual([{ id: 'line-2', requirement: line({ requirement: 'sniffed as JSONL' }) }]);
  });
});

describe('inputs refused as a whole', () => {
  const array = [{ id: 'a', requirement: 'Review Terraform plans' }, { id: 'b', requirement: 'Audit React hooks' }];

  it('refuses a JSON array (pretty-printed, or one line on stdin) read as text, saying how to make JSONL', async () => {
    const pretty = await file('reqs.json', `${JSON.stringify(array, null, 2)}\n`);
    await expect(checkRequirementsFile(pretty)).rejects.toThrow(RequirementsInputError);
    await expect(checkRequirementsFile(pretty)).rejects.toThrow(`${pretty} is a JSON array; submit reads JSONL, one JSON object a line: convert it with jq -c '.[]' ${pretty} > ${pretty.slice(0, -'.json'.length)}.jsonl (POST /api/batches takes the array as it is)`);
    await expect(checkRequirementsFile('-', { stdin: Readable.from([Buffer.from(JSON.stringify(array))]) })).rejects.toThrow(/^stdin is a JSON array; .*jq -c '\.\[\]' FILE \| agent-factory submit -/);
    // An explicit --format text still reads its lines, one requirement each.
    expect(await checkRequirementsFile(pretty, { format: 'text' })).toMatchObject({ format: 'text', valid: 10, invalid: 0 });
    // Text that merely starts with a bracket is text.
    expect(await checkRequirementsFile(await file('todo.txt', '[ ] Review Terraform plans\n[x] Audit React hooks\n'))).toMatchObject({ format: 'text', valid: 2 });
  });

  it('refuses UTF-16 (either byte order) at once, even with --format, saying to save it as UTF-8', async () => {
    const text = 'Review Terraform plans\nAudit React hooks\n';
    const le = await file('unicode.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const be = await file('unicode-be.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]));
    await expect(checkRequirementsFile(le, { skipInvalid: true })).rejects.toThrow(`${le} is UTF-16 (it starts with a UTF-16 byte order mark); submit reads UTF-8: save it as UTF-8, e.g. iconv -f UTF-16 -t UTF-8 ${le} > ${le.slice(0, -'.txt'.length)}.utf8.txt`);
    await expect(checkRequirementsFile(be, { format: 'text' })).rejects.toThrow(/is UTF-16/);
    await expect(collect(le, { format: 'text', skipInvalid: true })).rejects.toThrow(/is UTF-16/);
  });
});

describe('control characters', () => {
  const ESC = '\u001b';

  it('refuses them in ids and tenants, and never quotes user text with them raw', async () => {
    const path = await file('controls.jsonl', [
      line({ id: `${ESC}[31mred`, requirement: 'Review plans' }), // 1
      line({ id: 'two\nlines', requirement: 'Review plans' }), // 2
      line({ id: 'c1\u009b31m', requirement: 'Review plans' }), // 3: a C1 control (CSI)
      line({ requirement: 'Review plans', tenant: `acme${ESC}[2J` }), // 4
      line({ requirement: 'Review plans', [`${ESC}[31mtier`]: 'simple' }), // 5
      `{"requirement": ${ESC}[31m}`, // 6: V8's message quotes the text around the fault
      line({ id: 'ok', requirement: 'Review plans' }), // 7 good
    ].join('\n'));
    const check = await checkRequirementsFile(path);
    expect(check).toMatchObject({ valid: 1, invalid: 6 });
    const p = problems(check);
    expect(p[1]).toBe('id must not contain control characters (such as ESC or a line break)');
    expect(p[2]).toBe(p[1]);
    expect(p[3]).toBe(p[1]);
    expect(p[4]).toBe('tenant must not contain control characters (such as ESC or a line break)');
    expect(p[5]).toBe('unknown field "\\u001b[31mtier" (fields: id, requirement, tier, model, tenant)');
    expect(p[6]).toMatch(/^not valid JSON: .*\\u001b/);
    expect(check.errors.filter((e) => /[\u0000-\u001f\u007f-\u009f]/.test(e.message))).toEqual([]);

    const csv = await file('controls.csv', `id,requirement\n"a${ESC}[31m",Review plans\n`);
    expect(problems(await checkRequirementsFile(csv))).toEqual({ 2: 'id must not contain control characters (such as ESC or a line break)' });
    const header = await file('header.csv', `id,${ESC}[31mtext\na,Review plans\n`);
    expect((await checkRequirementsFile(header)).fatal?.message).toBe('no "requirement" column (columns found: "id", "\\u001b[31mtext")');
  });

  it('quotes a tenant the batch was given with its control characters escaped', async () => {
    const path = await file('tenant.jsonl', line({ requirement: 'Review plans', tenant: 'acme' }));
    expect(problems(await checkRequirementsFile(path, { tenant: `x${ESC}[2J` }))).toEqual({ 1: 'tenant "acme" differs from the batch\'s tenant "x\\u001b[2J" (one tenant per batch)' });
  });
});

describe('stdin', () => {
  it('is spooled to a temp file during the check, sniffed, re-read, then discarded', async () => {
    const stdin = Readable.from([Buffer.from('id,requirement\n'), Buffer.from('s1,From stdin\ns2,Also from stdin\n')]);
    const check = await checkRequirementsFile('-', { stdin });
    expect(check).toMatchObject({ spooled: true, format: 'csv', valid: 2, invalid: 0 });
    expect(check.path).not.toBe('-');
    expect(existsSync(check.path)).toBe(true);
    expect(await collect(check.path, { format: check.format })).toEqual([
      { id: 's1', requirement: 'From stdin' },
      { id: 's2', requirement: 'Also from stdin' },
    ]);
    await discardInput(check);
    expect(existsSync(check.path)).toBe(false);
  });

  it('takes --format, and the spool goes away after a fatal error too', async () => {
    const stdin = Readable.from([Buffer.from('id,text\n1,2\n')]);
    const check = await checkRequirementsFile('-', { stdin, format: 'csv' });
    expect(check.fatal?.message).toMatch(/no "requirement" column/);
    await discardInput(check);
    expect(existsSync(check.path)).toBe(false);
  });
});

const QUEUE_DIST = fileURLToPath(new URL('../packages/queue/dist/index.js', import.meta.url));

describe('100,000 lines', () => {
  it('checks and reads in bounded memory (streaming, nothing held per line but its id)', async () => {
    const path = join(dir, 'big.jsonl');
    const out = createWriteStream(path);
    const filler = 'with several constraints on naming, testing, security review and the deployment pipeline; '.repeat(6);
    for (let i = 0; i < 100_000; i++) {
      if (!out.write(`${line({ id: `r-${i}`, requirement: `Requirement ${i}: an agent that reviews pull requests ${filler}` })}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    // ~60 MB of requirement text (~120 MB as JS strings): a reader that held it would run out of a
    // 48 MB heap; a streaming one checks and reads it all. The built package runs in its own process.
    const script = `
      import { checkRequirementsFile, readRequirementsFile } from ${JSON.stringify(pathToFileURL(QUEUE_DIST).href)};
      const check = await checkRequirementsFile(process.argv[1]);
      let n = 0;
      for await (const item of readRequirementsFile(process.argv[1])) if (item.id) n++;
      console.log(JSON.stringify({ valid: check.valid, invalid: check.invalid, n }));`;
    const run = spawnSync(process.execPath, ['--max-old-space-size=48', '--input-type=module', '-e', script, path], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ valid: 100_000, invalid: 0, n: 100_000 });
    // A bounded-memory check, not a speed one (bench:submit measures speed): room for a loaded machine.
  }, 120_000);
});

describe('checkRequirementsArray (API bodies)', () => {
  it('takes strings and objects, with item indexes in its errors', () => {
    const result = checkRequirementsArray([
      'Review Terraform plans',
      '',
      { id: 'item-0', requirement: 'duplicate of the default id of item 0' },
      42,
      { requirement: 'ok', tier: 'simple' },
      { requirement: 'bad model', model: 'gpt' },
      { requirement: 'bad bytes \uFFFD' },
      { id: 7, requirement: 'an integer id' },
      { id: '7', requirement: 'the same id as a string' },
    ]);
    expect(result.valid).toBe(3);
    expect(result.invalid).toBe(6);
    expect(result.items).toEqual([
      { id: 'item-0', requirement: 'Review Terraform plans' },
      { id: 'item-4', requirement: 'ok', tier: 'simple' },
      { id: '7', requirement: 'an integer id' },
    ]);
    expect(result.errors).toEqual([
      { index: 1, message: 'the requirement is empty' },
      { index: 2, message: 'duplicate id "item-0" (first at index 0)' },
      { index: 3, message: expect.stringMatching(/must be a string or an object/) },
      { index: 5, message: expect.stringMatching(/model must be/) },
      { index: 6, message: 'the requirement is not valid UTF-8 (it contains U+FFFD)' },
      { index: 8, message: 'duplicate id "7" (first at index 7)' },
    ]);
  });

  it('refuses ids with control characters, as the files do', () => {
    expect(checkRequirementsArray([{ id: 'a\nb', requirement: 'Review plans' }, { id: '\u001b[31m', requirement: 'Audit hooks' }]).errors).toEqual([
      { index: 0, message: 'id must not contain control characters (such as ESC or a line break)' },
      { index: 1, message: 'id must not contain control characters (such as ESC or a line break)' },
    ]);
  });

  it('takes {requirements: [...]} and refuses other shapes as a whole', () => {
    expect(checkRequirementsArray({ requirements: ['a'] }).items).toEqual([{ id: 'item-0', requirement: 'a' }]);
    expect(() => checkRequirementsArray({ requirement: 'a' })).toThrow(RequirementsInputError);
    expect(() => checkRequirementsArray([])).toThrow(/no requirements/);
    expect(() => checkRequirementsArray(['a', 'b', 'c'], { maxItems: 2 })).toThrow(/at most 2/);
  });
});
