// Identical requirements are enqueued once per batch: the key ignores whitespace and Unicode form,
// and the producer's fast path for plain ASCII text agrees with the full normalization.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeRequirement, requirementKey } from '../packages/queue/src/requirement-key.js';

const full = (text: string): string => text.normalize('NFC').replace(/\s+/g, ' ').trim();

describe('requirement keys', () => {
  it('are the same for texts that differ only in whitespace or Unicode form', () => {
    const key = (requirement: string): string => requirementKey({ requirement });
    expect(key('Review  Terraform\tplans ')).toBe(key('Review Terraform plans'));
    expect(key('Audit caf\u00e9 menus')).toBe(key('Audit cafe\u0301 menus'));
    expect(key('Review Terraform plans')).not.toBe(key('Review Terraform plan'));
    expect(requirementKey({ requirement: 'Review Terraform plans', tier: 'simple' })).not.toBe(key('Review Terraform plans'));
  });

  it('normalize any text as NFC with single spaces, plain ASCII included', () => {
    const pieces = fc.constantFrom('a', 'Z', '0', '-', '~', '!', ' ', '  ', '\t', '\n', '\u00a0', '\u00e9', 'e\u0301', '\u2028', '\u3000', '\u{1f600}');
    fc.assert(fc.property(fc.array(pieces, { maxLength: 30 }).map((p) => p.join('')), (text) => normalizeRequirement(text) === full(text)), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => normalizeRequirement(text) === full(text)), { numRuns: 2000 });
  });
});
