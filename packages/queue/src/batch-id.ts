import { randomBytes } from 'node:crypto';

/** A short batch id, `b_` + time + randomness in base 36 (sorts roughly by creation). */
export function newBatchId(now = Date.now()): string {
  const random = randomBytes(5).readUIntBE(0, 5).toString(36).padStart(8, '0');
  return `b_${now.toString(36)}${random}`;
}
