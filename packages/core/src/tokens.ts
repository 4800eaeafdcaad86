import { createRequire } from 'node:module';
import { textMemo } from './memo.js';

type CountTokens = (text: string) => number;
let tokenizer: CountTokens | undefined;

/**
 * The tokenizer, loaded on first use: its tables cost ~70 MB, which processes that never count
 * tokens (producers, the server) should not pay.
 */
function countWithTokenizer(text: string): number {
  tokenizer ??= (createRequire(import.meta.url)('gpt-tokenizer') as { countTokens: CountTokens }).countTokens;
  return tokenizer(text);
}

/** Every template and docs line in use, and the words of the lines that change per agent. */
const MEMO_LIMIT = 50_000;
// Lines and word chunks are kept apart: two small tables miss the CPU cache less than one large one.
const chunkTokens = textMemo(MEMO_LIMIT, countWithTokenizer);

function isAsciiLetter(code: number): boolean {
  return (code | 32) >= 97 && (code | 32) <= 122;
}

function isAsciiLetterOrDigit(code: number): boolean {
  return isAsciiLetter(code) || (code >= 48 && code <= 57);
}

/** ASCII punctuation that, before a letter, leads its piece and never joins the letters before it (unlike the apostrophe: "it's"). */
function isLeadingMark(code: number): boolean {
  return code === 45 /* - */ || code === 95 /* _ */ || code === 47 /* / */ || code === 46 /* . */ || code === 58 /* : */;
}

/**
 * Whether the tokenizer's pre-split (o200k) always starts a new piece at `i`, which is then the
 * piece's leading character: a space before a letter ("a| b"), or `-`, `_`, `/`, `.`, `:` between
 * a letter or digit and a letter ("go|-ci", "v2|.x"). Letter runs hold no spaces and no
 * punctuation but a leading character, and BPE never merges across pieces, so chunks cut there
 * add up to the whole line exactly.
 */
function startsPiece(line: string, i: number): boolean {
  const next = line.charCodeAt(i + 1);
  if (!isAsciiLetter(next)) return false;
  const c = line.charCodeAt(i);
  return c === 32 /* space */ || (isLeadingMark(c) && isAsciiLetterOrDigit(line.charCodeAt(i - 1)));
}

/**
 * A line not seen before, counted as chunks cut where a piece must start. A new line is mostly
 * known words ("… scope: best practices for PyTorch.", "go-ci-pipeline-documenter"), so it costs
 * a few lookups instead of a tokenization.
 */
function chunkedCount(line: string): number {
  let tokens = 0;
  let from = 0;
  for (let i = 1; i < line.length - 1; i++) {
    if (startsPiece(line, i)) {
      tokens += chunkTokens(line.slice(from, i));
      from = i;
    }
  }
  return from === 0 ? countWithTokenizer(line) : tokens + chunkTokens(line.slice(from));
}

const lineTokens = textMemo(MEMO_LIMIT, chunkedCount);

/**
 * Estimated tokens of a text, for budgets when no provider counts them. Claude's tokenizer is not
 * public; a BPE tokenizer of the same family is within a few percent on English prose and code.
 * Counted per line (plus one token per line break) so repeated lines cost a lookup, not a tokenization.
 */
export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  const lines = text.split('\n');
  let tokens = lines.length - 1;
  for (const line of lines) if (line.length > 0) tokens += lineTokens(line);
  return tokens;
}
