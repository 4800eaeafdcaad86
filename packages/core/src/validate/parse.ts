import type * as Yaml from 'yaml';
import { lazyModule } from '../lazy-module.js';
import { readPlainFrontmatter } from './plain-frontmatter.js';

/** Only frontmatter the plain reader cannot take needs the YAML parser. */
const yaml = lazyModule<typeof Yaml>('yaml', import.meta.url);

/** A YAML error in the frontmatter, at its line in the file. */
export interface YamlProblem {
  line: number;
  /** The yaml library's error code, e.g. `BLOCK_AS_IMPLICIT_KEY`. */
  code: string;
  message: string;
}

/** One top-level frontmatter field: its value (nested mappings as Maps) and its line in the file. */
export interface FrontmatterField {
  value: unknown;
  line: number;
}

/**
 * `ok`: `---` on line 1 and a closing `---`. `misplaced`: the block starts after blank lines
 * (Claude Code then loads no metadata). `missing`: no block at all. `unclosed`: no closing `---`.
 */
export type FrontmatterStatus = 'ok' | 'misplaced' | 'missing' | 'unclosed';

export interface ParsedAgentFile {
  /** The text without BOM and with LF endings, so every later check sees one form. */
  text: string;
  hasBom: boolean;
  /** First line ending in CRLF or a lone CR, when the file has any. */
  lineEndingProblem?: { line: number; kind: 'CRLF' | 'CR' };
  frontmatter: {
    status: FrontmatterStatus;
    /** Line of the opening `---` (0 when missing). */
    startLine: number;
    /** Line of the closing `---` (0 when missing or unclosed). */
    endLine: number;
    /** Set when the YAML parsed into something other than a mapping (a list, a scalar). */
    notMapping: boolean;
    yamlErrors: YamlProblem[];
    /** Top-level fields; empty when the YAML had errors, as Claude Code then loads no metadata. */
    fields: ReadonlyMap<string, FrontmatterField>;
  };
  /** Everything after the frontmatter: the agent's system prompt. */
  body: string;
  /** 1-based line of the body's first character. */
  bodyLine: number;
}

const OPEN = /^---[ \t]*(?:\n|$)/;
const OPEN_AFTER_BLANKS = /^(?:[ \t]*\n)+---[ \t]*(?:\n|$)/;
const CLOSE = /^---[ \t]*$/gm;
const NEWLINES = /\r\n?/g;
const POSITION_SUFFIX = / at line \d+, column \d+:?$/;

/** Counts `\n` in text[from, to). */
export function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function lineEndingProblem(raw: string): ParsedAgentFile['lineEndingProblem'] {
  const cr = raw.indexOf('\r');
  if (cr === -1) return undefined;
  // Before the first CR every break is a plain LF.
  const line = 1 + countNewlines(raw, 0, cr);
  return { line, kind: raw[cr + 1] === '\n' ? 'CRLF' : 'CR' };
}

function parseYaml(src: string, firstLine: number): Pick<ParsedAgentFile['frontmatter'], 'notMapping' | 'yamlErrors' | 'fields'> {
  const plain = readPlainFrontmatter(src, firstLine);
  if (plain) return { notMapping: false, yamlErrors: [], fields: plain };
  const fields = new Map<string, FrontmatterField>();
  const lastLine = firstLine + countNewlines(src, 0, src.length);
  const { isMap, isScalar, parseDocument } = yaml();
  const doc = parseDocument(src, { uniqueKeys: true, strict: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const yamlErrors = doc.errors.map((e) => ({
      // The yaml library may point one past the block (an unclosed quote); keep it inside.
      line: Math.min(lastLine, firstLine + (e.linePos?.[0].line ?? 1) - 1),
      code: e.code,
      message: (e.message.split('\n')[0] ?? e.message).replace(POSITION_SUFFIX, ''),
    }));
    return { notMapping: false, yamlErrors, fields };
  }
  const contents = doc.contents;
  if (contents === null) return { notMapping: false, yamlErrors: [], fields };
  if (!isMap(contents)) return { notMapping: true, yamlErrors: [], fields };
  const js: unknown = doc.toJS({ mapAsMap: true, maxAliasCount: 100 });
  const values = js instanceof Map ? js : new Map<unknown, unknown>();
  for (const pair of contents.items) {
    const keyNode = pair.key;
    const key: unknown = isScalar(keyNode) ? keyNode.value : keyNode;
    const offset = isScalar(keyNode) && keyNode.range ? keyNode.range[0] : 0;
    fields.set(String(key), { value: values.get(key), line: firstLine + countNewlines(src, 0, offset) });
  }
  return { notMapping: false, yamlErrors: [], fields };
}

/** The parsed file as one object literal of one shape: spreading the parts into it cost a dictionary-mode copy each. */
function parsed(text: string, hasBom: boolean, ending: ParsedAgentFile['lineEndingProblem'], frontmatter: ParsedAgentFile['frontmatter'], body: string, bodyLine: number): ParsedAgentFile {
  return ending ? { text, hasBom, lineEndingProblem: ending, frontmatter, body, bodyLine } : { text, hasBom, frontmatter, body, bodyLine };
}

function parseUnsafe(input: string): ParsedAgentFile {
  const hasBom = input.charCodeAt(0) === 0xfeff;
  const raw = hasBom ? input.slice(1) : input;
  const ending = lineEndingProblem(raw);
  const text = ending ? raw.replace(NEWLINES, '\n') : raw;
  const noFields = (status: FrontmatterStatus, startLine: number): ParsedAgentFile['frontmatter'] =>
    ({ status, startLine, endLine: 0, notMapping: false, yamlErrors: [], fields: new Map<string, FrontmatterField>() });

  let status: FrontmatterStatus = 'ok';
  let open = OPEN.exec(text);
  let startLine = 1;
  if (!open) {
    open = OPEN_AFTER_BLANKS.exec(text);
    if (!open) return parsed(text, hasBom, ending, noFields('missing', 0), text, 1);
    status = 'misplaced';
    startLine = 1 + countNewlines(open[0], 0, open[0].length) - (open[0].endsWith('\n') ? 1 : 0);
  }
  const yamlStart = open[0].length;
  CLOSE.lastIndex = yamlStart;
  const close = yamlStart < text.length ? CLOSE.exec(text) : null;
  if (!close) return parsed(text, hasBom, ending, noFields('unclosed', startLine), text.slice(yamlStart), startLine + 1);
  const endLine = startLine + 1 + countNewlines(text, yamlStart, close.index);
  const { notMapping, yamlErrors, fields } = parseYaml(text.slice(yamlStart, close.index), startLine + 1);
  const afterClose = close.index + close[0].length;
  const bodyStart = text[afterClose] === '\n' ? afterClose + 1 : afterClose;
  return parsed(text, hasBom, ending, { status, startLine, endLine, notMapping, yamlErrors, fields }, text.slice(bodyStart), endLine + 1);
}

/**
 * Splits an agent file into frontmatter and body, parsing the frontmatter as strict YAML.
 * Never throws: whatever the input, the problems are data for gate 1 to report.
 */
export function parseAgentFile(text: string): ParsedAgentFile {
  try {
    return parseUnsafe(typeof text === 'string' ? text : String(text));
  } catch (error) {
    // Only reachable through a yaml library fault (e.g. an alias bomb): report it as a YAML error.
    const message = error instanceof Error ? error.message : String(error);
    return {
      text: String(text),
      hasBom: false,
      frontmatter: {
        status: 'ok', startLine: 1, endLine: 1, notMapping: false,
        yamlErrors: [{ line: 1, code: 'INTERNAL', message }], fields: new Map(),
      },
      body: '',
      bodyLine: 1,
    };
  }
}
