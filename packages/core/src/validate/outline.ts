import type { ParsedAgentFile } from './parse.js';

export interface Heading {
  level: number;
  text: string;
  /** Line in the file. */
  line: number;
  /** Index in Outline.lines. */
  index: number;
}

/** A run of non-blank lines outside code fences that is not a heading; a list under a paragraph line is a block of its own. */
export interface Block {
  kind: 'prose' | 'list' | 'table' | 'quote' | 'comment';
  text: string;
  line: number;
}

/** What the content and TRUST gates need to know about the body's Markdown. */
export interface Outline {
  /** The body's lines. */
  lines: string[];
  /** Per line: inside a fenced code block (fence lines included). */
  inCode: boolean[];
  headings: Heading[];
  blocks: Block[];
  hasCode: boolean;
}

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const LIST_ITEM = /^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\S/;
/**
 * A list item that starts a list right under a paragraph line, with no blank line between
 * ("When invoked:" then "1. …"): CommonMark lets a bullet item, or an ordered one numbered 1, do that.
 */
const LIST_AFTER_PARAGRAPH = /^ {0,3}(?:[-*+]|0{0,8}1[.)])[ \t]+\S/;
const INLINE_CODE = /`[^`\n]+`/;

/**
 * Whether a line may open or close a fence or be a heading: those start with up to three spaces
 * and then a backtick, tilde or `#`. Most lines fail this one-character test, skipping both regexes.
 */
function mayBeFenceOrHeading(line: string): boolean {
  const c = line.charCodeAt(0);
  return c === 32 /* space */ || c === 96 /* ` */ || c === 126 /* ~ */ || c === 35 /* # */;
}

/** Whether a line is blank; a printable ASCII first character settles it without trimming. */
function isBlankLine(line: string): boolean {
  const c = line.charCodeAt(0);
  return !(c > 32 && c < 127) && line.trim() === '';
}

function blockKind(first: string): Block['kind'] {
  if (LIST_ITEM.test(first)) return 'list';
  const t = first.trimStart();
  if (t.startsWith('|')) return 'table';
  if (t.startsWith('>')) return 'quote';
  if (t.startsWith('<!--')) return 'comment';
  return 'prose';
}

function build(file: ParsedAgentFile): Outline {
  const lines = file.body.split('\n');
  const inCode: boolean[] = new Array<boolean>(lines.length).fill(false);
  const headings: Heading[] = [];
  const blocks: Block[] = [];
  let fence: string | undefined;
  let hasCode = false;
  let start = -1;
  let kind: Block['kind'] = 'prose';
  // Where line i starts in the body (the body's length + 1 after the last line), and where the open
  // block does: a block's text is one slice of the body, not a join of its lines.
  let offset = 0;
  let startOffset = 0;
  /** Ends the open block before line i. */
  const flush = (): void => {
    if (start < 0) return;
    blocks.push({ kind, text: file.body.slice(startOffset, offset - 1), line: file.bodyLine + start });
    start = -1;
  };
  for (let i = 0; i < lines.length; offset += (lines[i] ?? '').length + 1, i++) {
    const line = lines[i] ?? '';
    const markup = mayBeFenceOrHeading(line);
    if (fence !== undefined) {
      inCode[i] = true;
      const m = markup ? FENCE.exec(line) : null;
      if (m?.[1] && m[1][0] === fence[0] && m[1].length >= fence.length && line.trim() === m[1]) fence = undefined;
      continue;
    }
    const f = markup ? FENCE.exec(line) : null;
    if (f?.[1]) {
      flush();
      fence = f[1];
      inCode[i] = true;
      hasCode = true;
      continue;
    }
    if (isBlankLine(line)) {
      flush();
      continue;
    }
    const h = markup ? HEADING.exec(line) : null;
    if (h?.[1]) {
      flush();
      headings.push({ level: h[1].length, text: (h[2] ?? '').trim(), line: file.bodyLine + i, index: i });
      continue;
    }
    // A backtick first: most lines have none, and the search costs less than a regex call.
    if (!hasCode && line.includes('`') && INLINE_CODE.test(line)) hasCode = true;
    // The paragraph ends where a list starts, so the list counts as one and the paragraph's length is its own.
    if (start >= 0 && kind === 'prose' && LIST_AFTER_PARAGRAPH.test(line)) flush();
    if (start < 0) {
      start = i;
      startOffset = offset;
      kind = blockKind(line);
    }
  }
  flush();
  return { lines, inCode, headings, blocks, hasCode };
}

/**
 * The last file's outline: the gates of one file run one after the other, so one entry serves them
 * all (a WeakMap entry per file cost the garbage collector more than the lookups saved).
 */
let last: { file: ParsedAgentFile; outline: Outline } | undefined;

/** The body's Markdown outline, computed once per parsed file and shared by the gates. */
export function outline(file: ParsedAgentFile): Outline {
  if (last?.file !== file) last = { file, outline: build(file) };
  return last.outline;
}

/** The text of the section under the first `## ` heading named `title` (case-insensitive), if any. */
export function sectionText(o: Outline, title: string): string | undefined {
  const wanted = title.toLowerCase();
  const at = o.headings.findIndex((h) => h.level === 2 && h.text.toLowerCase() === wanted);
  const heading = o.headings[at];
  if (!heading) return undefined;
  const next = o.headings.slice(at + 1).find((h) => h.level <= 2);
  return o.lines.slice(heading.index + 1, next ? next.index : o.lines.length).join('\n');
}
