/** Edits from one word to another: insertions, deletions, substitutions, and swaps of two neighbours (teir → tier is one). */
function editDistance(a: string, b: string): number {
  // Three rows of the dynamic-programming table are all a swap looks back to.
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (before[j - 2] ?? 0) + 1);
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The word of `words` that `name` is most likely a misspelling of: at most two edits away, and only
 * one for words under five letters, so a short column like "no" or "user" is not taken for id or tier.
 */
export function nearMiss(name: string, words: readonly string[]): string | undefined {
  let found: { word: string; distance: number } | undefined;
  for (const word of words) {
    const distance = editDistance(name, word);
    if (distance > 0 && distance <= (word.length < 5 ? 1 : 2) && (!found || distance < found.distance)) found = { word, distance };
  }
  return found?.word;
}
