import { sha256Hex, type Requirement } from '@agent-factory/core';

/** Printable ASCII words between single spaces: already in normal form (most requirements are). */
const NORMAL_ASCII = /^[\x21-\x7e]+(?: [\x21-\x7e]+)*$/;

/** Whitespace and Unicode form do not make two requirements different. */
export function normalizeRequirement(text: string): string {
  // The check costs a fifth of NFC plus the whitespace pass, which a producer pays per input line.
  if (NORMAL_ASCII.test(text)) return text;
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/**
 * The item key of a requirement: a hash of its normalized text, tier and model. Identical
 * requirements in a batch share it (one item, answered for every input id); also the cache key of
 * a finished agent. 16 hex digits: a collision in a batch of 100,000 has odds below 1 in 10^9.
 */
export function requirementKey(req: Pick<Requirement, 'requirement' | 'tier' | 'model'>): string {
  return sha256Hex(`${normalizeRequirement(req.requirement)}\u0000${req.tier ?? ''}\u0000${req.model ?? ''}`).slice(0, 16);
}
