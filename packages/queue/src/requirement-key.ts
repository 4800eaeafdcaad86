import { createHash } from 'node:crypto';
import type { Requirement } from '@agent-factory/core';

/** Whitespace and Unicode form do not make two requirements different. */
export function normalizeRequirement(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/**
 * The item key of a requirement: a hash of its normalized text, tier and model. Identical
 * requirements in a batch share it (one item, answered for every input id); also the cache key of
 * a finished agent. 16 hex digits: a collision in a batch of 100,000 has odds below 1 in 10^9.
 */
export function requirementKey(req: Pick<Requirement, 'requirement' | 'tier' | 'model'>): string {
  return createHash('sha256')
    .update(`${normalizeRequirement(req.requirement)}\u0000${req.tier ?? ''}\u0000${req.model ?? ''}`)
    .digest('hex')
    .slice(0, 16);
}
