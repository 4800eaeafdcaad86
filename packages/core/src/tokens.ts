import { countTokens as countWithTokenizer } from 'gpt-tokenizer';

/**
 * Estimated tokens of a text, for budgets when no provider counts them. Claude's tokenizer is not
 * public; a BPE tokenizer of the same family is within a few percent on English prose and code.
 */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : countWithTokenizer(text);
}
