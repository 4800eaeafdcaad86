/** Jaccard similarity of word 3-shingles: 1 means the same text, 0 nothing in common. */
export function similarity(a: string, b: string): number {
  const shingles = (text: string): Set<string> => {
    const words = text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
    const set = new Set<string>();
    for (let i = 0; i + 2 < words.length; i++) set.add(`${words[i]} ${words[i + 1]} ${words[i + 2]}`);
    return set;
  };
  const sa = shingles(a);
  const sb = shingles(b);
  let shared = 0;
  for (const s of sa) if (sb.has(s)) shared++;
  return shared / (sa.size + sb.size - shared || 1);
}
