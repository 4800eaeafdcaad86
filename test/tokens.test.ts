import { createRequire } from 'node:module';
import { EMPTY_RESEARCH, estimateTokens, planRequirement, renderOfflineAgent, runPipeline } from '@agent-factory/core';
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

  it('counts the lines of offline agents cut around their phrases exactly', () => {
    const mismatches: string[] = [];
    for (const requirement of syntheticRequirements(60, 12)) {
      const plan = planRequirement({ requirement });
      const { content, phrases } = renderOfflineAgent({ ...plan, research: EMPTY_RESEARCH });
      expect(phrases.length).toBeGreaterThan(0);
      for (const line of content.split('\n')) if (estimateTokens(line, phrases) !== countTokens(line)) mismatches.push(line);
    }
    expect(mismatches).toEqual([]);
  });

  it('counts a phrase exactly whatever touches its edges', () => {
    const phrase = 'Playwright and Vue authentication flows';
    const edges = [' ', '.', ',', "'s", "'", 's', 'S', '2', '-x', ':', ')', '\t', 'é', '’s', ''];
    const starts = ['of', 'of ', '(', 'x', '- [ ]', '', '"', '  '];
    fc.assert(
      fc.property(fc.constantFrom(...starts), fc.constantFrom(...edges), fc.constantFrom(...edges), (start, end, tail) => {
        const line = `${start} ${phrase}${end}${tail} in reversible steps ${phrase}${tail}`;
        expect(estimateTokens(line, [phrase])).toBe(countTokens(line));
      }),
      { numRuns: 2_000, seed: 3 },
    );
  });

  it('finds every run of one to three digits to be one token, as digit runs are counted', () => {
    const runs = [1, 2, 3].flatMap((len) => Array.from({ length: 10 ** len }, (_, i) => String(i).padStart(len, '0')));
    expect(runs).toHaveLength(1_110);
    expect(runs.filter((run) => countTokens(run) !== 1)).toEqual([]);
    for (const line of ['sha256:493c7f13292a2244', '1é2 3', '12345678901234', 'a 1234567 b']) expect(estimateTokens(line)).toBe(countTokens(line));
  });

  it('adds one token per line break', () => {
    expect(estimateTokens('alpha beta\ngamma 42')).toBe(countTokens('alpha beta') + countTokens('gamma 42') + 1);
    expect(estimateTokens('')).toBe(0);
  });
});
