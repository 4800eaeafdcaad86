import { createRequire } from 'node:module';
import { estimateTokens, runPipeline } from '@agent-factory/core';
import { LocalDocsSource } from '@agent-factory/research';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { syntheticRequirements } from '../bench/synthetic.js';

// The tokenizer the estimate stands for: a line counted from memoized chunks must match it exactly.
const { countTokens } = createRequire(import.meta.url)('gpt-tokenizer') as { countTokens: (text: string) => number };

describe('estimateTokens', () => {
  it('counts every line of generated agents exactly as the tokenizer does', async () => {
    const docs = new LocalDocsSource();
    const mismatches: string[] = [];
    for (const requirement of syntheticRequirements(60, 11)) {
      const { content } = await runPipeline({ requirement }, { docs });
      for (const line of content.split('\n')) if (estimateTokens(line) !== countTokens(line)) mismatches.push(line);
    }
    expect(mismatches).toEqual([]);
  });

  it('counts numbers, hashes, versions and odd spacing exactly', () => {
    const chars = [...'abXY0123456789 .,:;-_/()\'"#%&*+=?!@[]{}<>`\té'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...chars), { minLength: 1, maxLength: 40 }).map((c) => c.join('')), (line) => {
        expect(estimateTokens(line)).toBe(countTokens(line));
      }),
      { numRuns: 20_000, seed: 7 },
    );
    for (const line of ['(case 10023).', 'sha256:7195893339d0dd0c', 'v2.3.10', 'a  123', 'x\t 5', '2026-11-26T03:15:02Z']) expect(estimateTokens(line)).toBe(countTokens(line));
  });

  it('adds one token per line break', () => {
    expect(estimateTokens('alpha beta\ngamma 42')).toBe(countTokens('alpha beta') + countTokens('gamma 42') + 1);
    expect(estimateTokens('')).toBe(0);
  });
});
