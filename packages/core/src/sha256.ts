import * as crypto from 'node:crypto';

/**
 * SHA-256 in hex: one-shot `crypto.hash` (Node 20.12+) skips building a Hash object, half the cost
 * of createHash for the short texts hashed per requirement; older 20.x stream it.
 */
export const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('sha256', text, 'hex') : (text) => crypto.createHash('sha256').update(text).digest('hex');
