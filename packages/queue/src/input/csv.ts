import { setImmediate as nextTurn } from 'node:timers/promises';
import { escapeControls, quoted } from '@agent-factory/core';
import { parse, type CsvError } from 'csv-parse';
import { MAX_LINE_BYTES } from './lines.js';
import { nearMiss } from './near-miss.js';
import type { RawRecord } from './raw-record.js';

const COLUMNS = ['requirement', 'id', 'tier', 'model', 'tenant'] as const;
type Column = (typeof COLUMNS)[number];

const REASONS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'a quote inside a quoted field must be doubled ("")',
  CSV_MAX_RECORD_SIZE: `record over ${MAX_LINE_BYTES / 1024} KB (a quote never closed?)`,
};

interface Row {
  record: string[];
  raw: string;
}

/** The physical lines a record's raw text spans, counting line ends as the other readers do: LF, CRLF or a lone CR. */
function linesOf(raw: string): number {
  let ends = 0;
  for (let i = raw.indexOf('\n'); i !== -1; i = raw.indexOf('\n', i + 1)) ends++;
  for (let i = raw.indexOf('\r'); i !== -1; i = raw.indexOf('\r', i + 1)) if (raw[i + 1] !== '\n') ends++;
  // The record's own delimiter (absent at the end of the input) ends no line inside it.
  const last = raw[raw.length - 1];
  return last === '\n' || last === '\r' ? ends - 1 : ends;
}

/** The header's other columns (as written): ignored, and said so once; refused when one looks like a misspelt known column. */
function otherColumns(cells: string[], index: Map<Column, number>, line: number): RawRecord | undefined {
  const taken = new Set(index.values());
  const others = cells.map((c) => c.trim()).filter((c, at) => c !== '' && !taken.has(at));
  if (others.length === 0) return undefined;
  const known = COLUMNS.join(', ');
  // Only a column the header lacks can be misspelt; ignoring the typo would quietly change every agent.
  const missing = COLUMNS.filter((c) => !index.has(c));
  const typos = others.flatMap((c) => {
    const meant = nearMiss(c.toLowerCase(), missing);
    return meant ? [`column ${quoted(c, 30)} looks like a misspelt ${quoted(meant)}`] : [];
  });
  if (typos.length > 0) return { line, error: `${typos.join('; ')}: fix the header (submit reads ${known}; other columns are ignored)`, fatal: true };
  const listed = others.slice(0, 10).map((c) => quoted(c, 30)).join(', ');
  return { line, notice: `ignoring column(s) ${listed}${others.length > 10 ? ', …' : ''}: submit reads only ${known}` };
}

/** Maps the header's columns (any case, any order) to their indexes; other columns are said once and ignored. */
function headerIndex(cells: string[], line: number): { index: Map<Column, number>; said?: RawRecord } | RawRecord {
  const names = cells.map((c) => c.trim().toLowerCase());
  const index = new Map<Column, number>();
  for (const column of COLUMNS) {
    const at = names.indexOf(column);
    if (at === -1) continue;
    if (names.indexOf(column, at + 1) !== -1) return { line, error: `the header names the "${column}" column twice`, fatal: true };
    index.set(column, at);
  }
  if (!index.has('requirement')) {
    const found = names.map((n) => quoted(n, 30)).slice(0, 10).join(', ');
    return { line, error: `no "requirement" column (columns found: ${found})`, fatal: true };
  }
  const said = otherColumns(cells, index, line);
  return said ? { index, said } : { index };
}

function toValue(cells: string[], index: Map<Column, number>, width: number, line: number): RawRecord {
  if (cells.length > width) return { line, error: `${cells.length} fields, but the header has ${width}` };
  const at = index.get('requirement') ?? 0;
  if (cells.length <= at) return { line, error: `${cells.length} field(s), but the header has ${width}: no "requirement" field` };
  // Spreadsheets write CRLF (old Macs CR) inside quoted cells; a requirement reads the same with LF.
  const value: Partial<Record<Column, string>> = { requirement: (cells[at] ?? '').replace(/\r\n?/g, '\n').trim() };
  for (const column of COLUMNS) {
    if (column === 'requirement') continue;
    const at = index.get(column);
    const cell = at === undefined ? undefined : cells[at]?.trim();
    if (cell) value[column] = cell;
  }
  return { line, value };
}

/**
 * CSV with a header row. csv-parse does the quoting (fields may span lines); line numbers are counted
 * here from each record's raw text, because csv-parse's own count drifts on CRLF inside quotes.
 */
export async function* readCsv(source: AsyncIterable<Buffer>): AsyncGenerator<RawRecord[]> {
  const parser = parse({ bom: true, raw: true, relax_column_count: true, max_record_size: MAX_LINE_BYTES, record_delimiter: ['\r\n', '\n', '\r'] });
  let rows: Row[] = [];
  let failure: CsvError | undefined;
  let ended = false;
  parser.on('data', (row: Row) => rows.push(row));
  parser.on('error', (error: CsvError) => (failure = error));
  parser.on('end', () => (ended = true));

  let nextLine = 1;
  let header: { index: Map<Column, number>; width: number } | undefined;
  const take = (): RawRecord[] => {
    const out: RawRecord[] = [];
    for (const { record, raw } of rows) {
      const line = nextLine;
      nextLine += linesOf(raw) + 1;
      if (record.every((cell) => cell.trim() === '')) continue;
      if (!header) {
        const read = headerIndex(record, line);
        if (!('index' in read)) return [...out, read];
        if (read.said) {
          out.push(read.said);
          if ('error' in read.said) return out;
        }
        header = { index: read.index, width: record.length };
        continue;
      }
      out.push(toValue(record, header.index, header.width, line));
    }
    rows = [];
    if (failure) out.push({ line: nextLine, error: `${REASONS[failure.code] ?? escapeControls(failure.message)}; the CSV cannot be read past this line`, fatal: true });
    return out;
  };
  const stop = (batch: RawRecord[]): boolean => batch.some((r) => 'fatal' in r && r.fatal);

  for await (const chunk of source) {
    parser.write(chunk);
    // csv-parse reports a parse error on the next tick.
    await nextTurn();
    const batch = take();
    if (batch.length > 0) yield batch;
    if (stop(batch)) {
      parser.destroy();
      return;
    }
  }
  parser.end();
  while (!ended && !failure) await nextTurn();
  const batch = take();
  if (batch.length > 0) yield batch;
}
