import type { z } from 'zod';
import { FactoryInputError } from './errors.js';

/** Parses a caller's argument; a bad one is a FactoryInputError naming it (`options.write.layout: …`). */
export function checked<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FactoryInputError(`${[what, ...(issue?.path ?? []).map(String)].join('.')}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
