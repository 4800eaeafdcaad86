import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** What newBatchId makes, as job data carries it. */
export const BatchIdSchema = z.string().regex(/^b_[a-z0-9]+$/, 'not a batch id');

/** A short batch id, `b_` + time + randomness in base 36 (sorts roughly by creation). */
export function newBatchId(now = Date.now()): string {
  const random = randomBytes(5).readUIntBE(0, 5).toString(36).padStart(8, '0');
  return `b_${now.toString(36)}${random}`;
}
