import { createHash } from 'node:crypto';

/** A short stand-in for an agent file's text, to tell identical files apart without keeping them. */
export function contentHash(content: string): string {
  return createHash('sha256').update(content).digest('base64url');
}
