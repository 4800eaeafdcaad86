import { countTokens as countWithTokenizer } from 'gpt-tokenizer';
import { LRUCache } from 'lru-cache';

/** Token counts of lines seen recently: agents share most of their lines (templates, docs notes). */
const lineTokens = new LRUCache<string, number>({ max: 50_000 });

function lineCount(line: string): number {
  let tokens = lineTokens.get(line);
  if (tokens === undefined) {
    tokens = countWithTokenizer(line);
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
