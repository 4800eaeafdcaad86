import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { BatchItemInput } from '../producer.js';
import { readCsv } from './csv.js';
import { RequirementsInputError, type InputProblem } from './errors.js';
import type { InputFormat } from './format.js';
import { inputFormat } from './head.js';
import { readJsonl } from './jsonl.js';
import type { RawRecord, RecordReader } from './raw-record.js';
import { RecordChecker, type Scanned } from './record-checker.js';
import { removeSpool, spool } from './spool.js';
import { readText } from './text.js';

const READERS: Record<InputFormat, RecordReader> = { jsonl: readJsonl, csv: readCsv, text: readText };
const CHUNK_BYTES = 256 * 1024;

export interface InputOptions {
  /** Default: from the extension (.jsonl/.ndjson, .csv, .txt), else sniffed from the first non-blank line. */
  format?: InputFormat;
  /** The batch's tenant: a record naming another one is an error. Default: the first one a record names. */
  tenant?: string;
  /** read: skip bad records instead of throwing at the first. Fatal errors always throw. */
  skipInvalid?: boolean;
  /** check: problems kept in `errors` (all are counted). Default 100. */
  maxErrors?: number;
  /** What `-` reads. Default process.stdin. */
  stdin?: NodeJS.ReadableStream;
}

export interface CheckResult {
  /** A path the second pass can read: the file itself, or stdin's spool (remove it with `discardInput`). */
  path: string;
  spooled: boolean;
  format: InputFormat;
  /** Good records, ready to enqueue. */
  valid: number;
  /** Bad records (including a fatal one). */
  invalid: number;
  /** The first `maxErrors` problems, in input order. */
  errors: InputProblem[];
  /** A problem that ends the input (not skippable): a CSV without a `requirement` column, broken quoting. */
  fatal?: InputProblem;
  /** The batch's tenant when the input names one. */
  tenant?: string;
  /** What to tell the user that refuses nothing: the CSV columns it ignores. */
  notices: string[];
}

async function checkReadable(path: string): Promise<void> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new RequirementsInputError(error.code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${error.message}`);
  });
  if (!info.isFile()) throw new RequirementsInputError(`${path} is not a file`);
}

async function* scan(path: string, format: InputFormat, checker: RecordChecker): AsyncGenerator<Scanned[]> {
  const source = createReadStream(path, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>;
  for await (const batch of READERS[format](source)) {
    yield batch.map((raw: RawRecord): Scanned => ('value' in raw ? checker.check(raw.line, raw.value) : raw));
  }
}

function newChecker(tenant: string | undefined): RecordChecker {
  return new RecordChecker({ tenant, idPrefix: 'line-', where: 'on line' });
}

/**
 * Pass 1: streams the whole input and checks every record, keeping only counts and the first problems,
 * so 100,000 lines never sit in memory. `-` is stdin, spooled to a temp file for pass 2.
 */
export async function checkRequirementsFile(path: string, options: InputOptions = {}): Promise<CheckResult> {
  const spooled = path === '-';
  const readable = spooled ? await spool(options.stdin ?? process.stdin) : path;
  try {
    await checkReadable(readable);
    const format = await inputFormat(path, readable, options.format);
    const maxErrors = options.maxErrors ?? 100;
    const checker = newChecker(options.tenant);
    const result: CheckResult = { path: readable, spooled, format, valid: 0, invalid: 0, errors: [], notices: [] };
    outer: for await (const batch of scan(readable, format, checker)) {
      for (const record of batch) {
        if ('item' in record) {
          result.valid++;
          continue;
        }
        if ('notice' in record) {
          result.notices.push(record.notice);
          continue;
        }
        result.invalid++;
        const problem = { line: record.line, message: record.error };
        if (result.errors.length < maxErrors) result.errors.push(problem);
        if (record.fatal) {
          result.fatal = problem;
          break outer;
        }
      }
    }
    if (checker.tenant !== undefined) result.tenant = checker.tenant;
    return result;
  } catch (error) {
    if (spooled) await removeSpool(readable);
    throw error;
  }
}

/** Removes stdin's spool once pass 2 is done (a no-op for a real file). */
export async function discardInput(check: Pick<CheckResult, 'path' | 'spooled'>): Promise<void> {
  if (check.spooled) await removeSpool(check.path);
}

/**
 * Pass 2: streams the good records again, for the producer. Pass the check's path, format and tenant.
 * A bad record throws (the input changed since the check) unless `skipInvalid`; a fatal one always throws.
 */
export async function* readRequirementsFile(path: string, options: InputOptions = {}): AsyncGenerator<BatchItemInput> {
  const spooled = path === '-';
  const readable = spooled ? await spool(options.stdin ?? process.stdin) : path;
  try {
    await checkReadable(readable);
    const format = await inputFormat(path, readable, options.format);
    for await (const batch of scan(readable, format, newChecker(options.tenant))) {
      for (const record of batch) {
        if ('item' in record) yield record.item;
        else if ('error' in record && (record.fatal || !options.skipInvalid)) throw new RequirementsInputError(`line ${record.line}: ${record.error}`);
      }
    }
  } finally {
    if (spooled) await removeSpool(readable);
  }
}
