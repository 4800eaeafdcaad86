import type { Snippet } from './schemas/research.js';
import { detached } from './memo.js';

export type ItemKind = 'practice' | 'pitfall' | 'pattern';

/** One statement taken from docs, with the page it came from. */
export interface DocItem {
  kind: ItemKind;
  text: string;
  source: string;
}

/** What one docs answer says, in reading order (which is the source's relevance order). */
export interface ExtractedDocs {
  items: DocItem[];
  snippets: Snippet[];
  sources: string[];
}

const PITFALL_CUE = /\b(avoid|never|don'?t|do not|must not|should not|shouldn'?t|pitfalls?|common mistakes?|mistakes?|anti-?patterns?|beware|caution|warning|gotchas?)\b/i;
const PATTERN_CUE = /\bpatterns?\b/i;
const PRACTICE_CUE = /\b(use|prefer|always|should|must|recommended|recommend|ensure|make sure|best practices?)\b/i;
// Only headings that name a kind outright decide it; "Rules of Hooks" mixes dos and don'ts.
const PITFALL_TITLE = /\b(pitfalls?|common mistakes?|anti-?patterns?|gotchas?|caveats?)\b/i;
const PRACTICE_TITLE = /\bbest practices?\b/i;

/** Context7 answers its errors as ordinary text; these openings mark an answer that carries no docs. */
const ERROR_ANSWER = /^(Rate limited|Invalid API key|Unauthorized|Request failed with status|Error fetching library documentation)/i;
/** Answers that say the source has nothing for the library: a gap in its docs, not a failure. */
const NO_DOCS_ANSWER = /^(The library you are trying to access does not exist|No (code |info )?(documentation|content|context data) available|No libraries found)/i;

/** Whether a docs answer says the source has no documentation for the library. */
export function isNoDocsAnswer(text: string): boolean {
  return NO_DOCS_ANSWER.test(text.trim());
}

/** The error a docs answer reports instead of docs, if it is one. */
export function docsAnswerError(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return 'empty answer';
  return ERROR_ANSWER.test(trimmed) ? (trimmed.split('\n')[0] ?? trimmed).slice(0, 200) : undefined;
}

/** A section title's kind wins over sentence cues: a "Pitfalls" list is pitfalls even where it says "use". */
function titleKind(title: string): ItemKind | undefined {
  if (PITFALL_TITLE.test(title)) return 'pitfall';
  if (PATTERN_CUE.test(title)) return 'pattern';
  if (PRACTICE_TITLE.test(title)) return 'practice';
  return undefined;
}

function sentenceKind(sentence: string): ItemKind | undefined {
  if (PITFALL_CUE.test(sentence)) return 'pitfall';
  if (PATTERN_CUE.test(sentence)) return 'pattern';
  if (PRACTICE_CUE.test(sentence)) return 'practice';
  return undefined;
}

/** Plain statement text: no list markers, emphasis or links, one line, at most ~300 characters. */
function clean(text: string): string {
  let out = text
    .replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/\s+/g, ' ')
    .trim();
  if (out.length > 300) out = `${out.slice(0, 297).replace(/\s+\S*$/, '')}…`;
  return out;
}

/** Statements of a prose block: each list item, and each sentence of a paragraph. */
function statements(prose: string[]): string[] {
  const out: string[] = [];
  let paragraph: string[] = [];
  const flush = (): void => {
    if (paragraph.length > 0) out.push(...paragraph.join(' ').split(/(?<=[.!?])\s+(?=[A-Z`*"(])/));
    paragraph = [];
  };
  for (const line of prose) {
    if (/^\s*(?:[-*+]|\d+[.)])\s+/.test(line)) {
      flush();
      out.push(line);
    } else if (line.trim() === '') flush();
    else if (out.length > 0 && paragraph.length === 0 && /^\s{2,}\S/.test(line)) out[out.length - 1] += ` ${line.trim()}`;
    else paragraph.push(line);
  }
  flush();
  return out;
}

// Cleaned text and cue of each raw statement: answers repeat the same statements in new orders.
const statementMemo = new Map<string, { text: string; cue: ItemKind | undefined }>();
function readStatement(raw: string): { text: string; cue: ItemKind | undefined } {
  let read = statementMemo.get(raw);
  if (!read) {
    if (statementMemo.size >= 50_000) statementMemo.clear();
    // Detached: a statement is a slice of its whole docs answer, which the table would keep alive.
    const text = detached(clean(raw));
    read = { text, cue: sentenceKind(text) };
    statementMemo.set(detached(raw), read);
  }
  return read;
}

interface RawSection {
  title: string;
  source: string;
  prose: string[];
  code: { language: string; code: string }[];
}

/** Splits an answer at headings and `---` rules; reads `Source:` lines, fenced code, and the legacy TITLE:/SOURCE:/CODE: form. */
function sections(markdown: string): RawSection[] {
  const out: RawSection[] = [];
  let current: RawSection = { title: '', source: '', prose: [], code: [] };
  let fence: { marker: string; language: string; lines: string[] } | undefined;
  const push = (): void => {
    if (current.prose.length > 0 || current.code.length > 0) out.push(current);
  };
  for (const line of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    if (fence) {
      if (line.trim().startsWith(fence.marker)) {
        current.code.push({ language: fence.language || 'text', code: fence.lines.join('\n').trim() });
        fence = undefined;
      } else fence.lines.push(line);
      continue;
    }
    const open = /^\s*(```+|~~~+)\s*([\w+#.-]*)/.exec(line);
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line) ?? /^TITLE:\s*(.+)$/.exec(line);
    const source = /^\s*source:\s*(\S.*)$/i.exec(line);
    if (open?.[1] !== undefined) fence = { marker: open[1], language: open[2] ?? '', lines: [] };
    else if (heading?.[1] !== undefined) {
      push();
      current = { title: heading[1], source: '', prose: [], code: [] };
    } else if (/^\s*(-{3,}|={3,})\s*$/.test(line)) {
      push();
      current = { title: '', source: '', prose: [], code: [] };
    } else if (source?.[1] !== undefined) current.source = source[1].trim();
    else if (!/^(LANGUAGE|CODE):/.test(line)) current.prose.push(line.replace(/^DESCRIPTION:\s*/, ''));
  }
  push();
  return out;
}

/** Reads a Context7-style answer into practices, pitfalls, patterns and snippets, each with its source. */
export function extractDocs(markdown: string, fallbackSource = ''): ExtractedDocs {
  const items: DocItem[] = [];
  const snippets: Snippet[] = [];
  const sources: string[] = [];
  const seen = new Set<string>();
  for (const section of sections(markdown)) {
    const source = section.source || fallbackSource;
    if (source !== '' && !sources.includes(source)) sources.push(source);
    const forced = titleKind(section.title);
    for (const statement of statements(section.prose)) {
      const { text, cue } = readStatement(statement);
      if (text.length < 12 || /^source:/i.test(text)) continue;
      const kind = forced ?? cue;
      const key = text.toLowerCase();
      if (kind === undefined || seen.has(key)) continue;
      seen.add(key);
      items.push({ kind, text, source });
    }
    for (const code of section.code) {
      if (code.code !== '') snippets.push({ language: code.language, code: code.code, source });
    }
  }
  return { items, snippets, sources };
}
