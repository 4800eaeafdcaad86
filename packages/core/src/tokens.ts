import { createRequire } from 'node:module';

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

/** Lines kept before the memo starts afresh: enough for every template and docs line in use. */
const MEMO_LIMIT = 50_000;
/** Token counts of lines seen recently: agents share most of their lines (templates, docs notes). */
let lineTokens = new Map<string, number>();

function lineCount(line: string): number {
  let tokens = lineTokens.get(line);
  if (tokens === undefined) {
    tokens = countWithTokenizer(line);
    // A plain Map dropped whole when full costs less per hit than an LRU, and hits dominate.
    if (lineTokens.size >= MEMO_LIMIT) lineTokens = new Map();
    lineTokens.set(line, tokens);
  }
  return tokens;
}

/**
 * Estimated tokens of a text, for budgets when no provider counts them. Claude's tokenizer is not
 * public; a BPE tokenizer of the same family is within a few percent on English prose and code.
 * Counted per line (plus one token per line break) so repeated lines cost a lookup, not a tokenization.
 */
export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  const lines = text.split('\n');
  let tokens = lines.length - 1;
  for (const line of lines) if (line.length > 0) tokens += lineCount(line);
  return tokens;
}
