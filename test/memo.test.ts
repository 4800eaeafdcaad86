// textMemo keeps its keys and values detached from the texts they were cut from: a line split off an
// agent file must not keep the whole file alive in a worker that has seen 100,000 of them.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { textMemo } from '../packages/core/src/memo.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('textMemo', () => {
  it('holds the lines it memoized, not the 1 MB texts they were split from', () => {
    const memo = textMemo(1000, (line: string) => line.toUpperCase());
    const before = heapAfterGc();
    for (let i = 0; i < 100; i++) {
      // A fresh 1 MB text each time; the memo sees only its first line, a substring of it.
      const text = `line ${i} of a long agent file\n${String(i).repeat(1 << 20)}`;
      const [first] = text.split('\n');
      expect(memo(first!)).toBe(`LINE ${i} OF A LONG AGENT FILE`);
    }
    const grown = heapAfterGc() - before;
    // Kept as views of their texts, the 100 lines would hold some 100 MB.
    expect(grown).toBeLessThan(10 * 2 ** 20);
    expect(memo.known('line 7 of a long agent file')).toBe('LINE 7 OF A LONG AGENT FILE');
  });

  it('answers every text as computed, lone surrogates included', () => {
    const memo = textMemo(10, (text: string) => `${text}!`);
    const odd = `broken \ud800 pair in a line of text`;
    expect(memo(odd)).toBe(`${odd}!`);
    expect(memo.known(odd)).toBe(`${odd}!`);
  });
});
