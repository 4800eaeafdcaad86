import { addUsage, type Usage } from '@agent-factory/core';

/** The usage fields of a Messages API answer (final message, message_start or message_delta). */
export interface ApiUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

export const NO_USAGE: Usage = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0, estimated: false };

/** Our Usage from the API's counts: `input` is the uncached input only, as the API reports it. */
export function usageFromApi(usage: ApiUsage | null | undefined): Usage {
  return {
    input: usage?.input_tokens ?? 0,
    output: usage?.output_tokens ?? 0,
    cacheCreation: usage?.cache_creation_input_tokens ?? 0,
    cacheRead: usage?.cache_read_input_tokens ?? 0,
    estimated: false,
  };
}

/** Total tokens of every kind. */
export function totalTokens(usage: Pick<Usage, 'input' | 'output' | 'cacheCreation' | 'cacheRead'>): number {
  return usage.input + usage.output + usage.cacheCreation + usage.cacheRead;
}

/** Sums usages (exact when every part is). */
export function sumUsage(usages: readonly Usage[]): Usage {
  return usages.reduce((a, b) => addUsage(a, b), NO_USAGE);
}
