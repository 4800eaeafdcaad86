import { lazyModule } from './lazy-module.js';
import { textMemo } from './memo.js';

type CountTokens = (text: string) => number;

/**
 * The tokenizer, loaded on first use: its tables cost ~70 MB, which processes that never count
 * tokens (producers, the server) should not pay.
 */
const tokenizer = lazyModule<{ countTokens: CountTokens }>('gpt-tokenizer', import.meta.url);
function countWithTokenizer(text: string): number {
  return tokenizer().countTokens(text);
}

/** Every template and docs line in use, and the words of the lines that change per agent. */
const MEMO_LIMIT = 50_000;
// Lines and word chunks are kept apart: two small tables miss the CPU cache less than one large one.
const chunkTokens = textMemo(MEMO_LIMIT, countWithTokenizer);

function isAsciiLetter(code: number): boolean {
  return (code | 32) >= 97 && (code | 32) <= 122;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isAsciiLetterOrDigit(code: number): boolean {
  return isAsciiLetter(code) || isDigit(code);
}

/** ASCII punctuation that, before a letter, leads its piece and never joins the letters before it (unlike the apostrophe: "it's"). */
function isLeadingMark(code: number): boolean {
  return code === 45 /* - */ || code === 95 /* _ */ || code === 47 /* / */ || code === 46 /* . */ || code === 58 /* : */;
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

/**
 * Whether the tokenizer's pre-split (o200k) always starts a new piece at `i`:
 * - a space before a letter ("a| b"), or `-`, `_`, `/`, `.`, `:` between a letter or digit and a
 *   letter ("go|-ci", "v2|.x"): letter runs hold no spaces and no punctuation but one leading
 *   character;
 * - the first digit of a run after an ASCII letter, space or mark, and the first character after a
 *   run ("case| |10023|)."): digits form pieces of their own (the run is cut in threes, which the
 *   run's chunk keeps); but not after two blanks, whose split depends on what follows them. Case
 *   numbers, hashes and dates then become a few small chunks, not a new text to tokenize.
 * BPE never merges across pieces, so chunks cut there add up to the whole line exactly.
 */
function startsPiece(line: string, i: number): boolean {
  const c = line.charCodeAt(i);
  const before = line.charCodeAt(i - 1);
  if (isDigit(c) !== isDigit(before)) return before < 128 && c < 128 && !(isSpace(before) && isSpace(line.charCodeAt(i - 2)));
  const next = line.charCodeAt(i + 1);
  if (!isAsciiLetter(next)) return false;
  return c === 32 /* space */ || (isLeadingMark(c) && isAsciiLetterOrDigit(before));
}

/**
 * A line not seen before, counted as chunks cut where a piece must start. A new line is mostly
 * known words ("… scope: best practices for PyTorch.", "go-ci-pipeline-documenter"), so it costs
 * a few lookups instead of a tokenization.
 */
function chunkedCount(line: string): number {
  let tokens = 0;
  let from = 0;
  for (let i = 1; i < line.length; i++) {
    if (startsPiece(line, i)) {
      tokens += chunkCount(line, from, i);
      from = i;
    }
  }
  return from === 0 ? countWithTokenizer(line) : tokens + chunkCount(line, from, line.length);
}

/**
 * A chunk's tokens. A run of digits (a hash's, a case number's) is cut in threes by the pre-split
 * and every one to three digits is one token (test/tokens.test.ts checks all 1,110), so it is
 * counted without a lookup; such runs seldom recur.
 */
function chunkCount(line: string, from: number, to: number): number {
  return allDigits(line, from, to) ? Math.ceil((to - from) / 3) : chunkTokens(line.slice(from, to));
}

function allDigits(line: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isDigit(line.charCodeAt(i))) return false;
  return true;
}

const lineTokens = textMemo(MEMO_LIMIT, chunkedCount);

/** Whether a piece always ends at `i`, after a letter: nothing there can extend the letter run. */
function endsPiece(line: string, i: number): boolean {
  if (i === line.length) return true;
  const c = line.charCodeAt(i);
  return c < 128 && !isAsciiLetter(c) && c !== 39 /* ' */;
}

/** The phrases a text is cut at, and each one's tokens once counted (a subject recurs in many lines of one agent). */
interface Cuts {
  phrases: readonly string[];
  tokens: (number | undefined)[];
}

/**
 * A line's tokens, cut around the first phrase it holds when the line is new. The phrase starts
 * after a space with a letter and ends with a letter, so pieces start and end at its edges; the
 * text around it is then template text, already counted, and the phrase is counted once.
 */
function countLine(line: string, cuts: Cuts): number {
  const known = lineTokens.known(line);
  if (known !== undefined) return known;
  for (let i = 0; i < cuts.phrases.length; i++) {
    const phrase = cuts.phrases[i] ?? '';
    const at = line.indexOf(phrase);
    const end = at + phrase.length;
    if (at >= 0 && endsPiece(line, end)) {
      const before = at > 0 ? countLine(line.slice(0, at), cuts) : 0;
      const after = end < line.length ? countLine(line.slice(end), cuts) : 0;
      return before + (cuts.tokens[i] ??= lineTokens(phrase)) + after;
    }
  }
  return lineTokens(line);
}

/** Phrases worth cutting at: long enough to save lookups, and with letters at both ends. */
function cutPhrases(phrases: readonly string[]): Cuts {
  const usable = phrases.filter((p) => p.length >= 12 && isAsciiLetter(p.charCodeAt(0)) && isAsciiLetter(p.charCodeAt(p.length - 1)));
  const cuts = [...new Set(usable)].sort((a, b) => b.length - a.length).map((p) => ` ${p}`);
  return { phrases: cuts, tokens: [] };
}

/**
 * Estimated tokens of a text, for budgets when no provider counts them. Claude's tokenizer is not
 * public; a BPE tokenizer of the same family is within a few percent on English prose and code.
 * Counted per line (plus one token per line break) so repeated lines cost a lookup, not a
 * tokenization. `phrases` are the texts a generator put into many of its lines (an agent's
 * subject): a new line is then counted as known template text around them.
 */
export function estimateTokens(text: string, phrases: readonly string[] = []): number {
  if (text.length === 0) return 0;
  const lines = text.split('\n');
  const cuts = cutPhrases(phrases);
  let tokens = lines.length - 1;
  for (const line of lines) if (line.length > 0) tokens += cuts.phrases.length > 0 ? countLine(line, cuts) : lineTokens(line);
  return tokens;
}
