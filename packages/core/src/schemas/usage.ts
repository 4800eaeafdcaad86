import { z } from 'zod';

/** Tokens of one generation, as the provider counts them (or estimated offline). */
export const UsageSchema = z.object({
  input: z.number().int().nonnegative(),
  output: z.number().int().nonnegative(),
  cacheCreation: z.number().int().nonnegative(),
  cacheRead: z.number().int().nonnegative(),
  /** True when counted by our tokenizer rather than reported by a provider. */
  estimated: z.boolean(),
});
export type Usage = z.infer<typeof UsageSchema>;

export const ZERO_USAGE: Usage = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0, estimated: true };
