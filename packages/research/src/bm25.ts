/** Words too common to tell sections apart; dropping them keeps scores about the content. */
const STOP_WORDS = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'for', 'from', 'has', 'have', 'in', 'into', 'is', 'it',
  'its', 'of', 'on', 'or', 'that', 'the', 'their', 'this', 'to', 'was', 'were', 'will', 'with', 'you', 'your',
  'can', 'all', 'any', 'not', 'no', 'do', 'does', 'when', 'which', 'who', 'than', 'then', 'so', 'if', 'we', 'our',
]);

/** Lowercase word tokens without stop words; a plural `s` is dropped so "hooks" meets "hook". */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const match of text.toLowerCase().matchAll(/[a-z0-9][a-z0-9+#]*(?:[.-][a-z0-9+#]+)*/g)) {
    let word = match[0];
    if (STOP_WORDS.has(word)) continue;
    if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) word = word.slice(0, -1);
    out.push(word);
  }
  return out;
}

/** Okapi BM25 over pre-tokenized documents (k1 1.2, b 0.75, the usual defaults). */
export class Bm25Index {
  private readonly termFreqs: Map<string, number>[];
  private readonly lengths: number[];
  private readonly docFreq = new Map<string, number>();
  private readonly avgLength: number;

  constructor(docs: readonly (readonly string[])[], private readonly k1 = 1.2, private readonly b = 0.75) {
    this.termFreqs = docs.map((tokens) => {
      const tf = new Map<string, number>();
      for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const t of tf.keys()) this.docFreq.set(t, (this.docFreq.get(t) ?? 0) + 1);
      return tf;
    });
    this.lengths = docs.map((d) => d.length);
    this.avgLength = this.lengths.reduce((s, n) => s + n, 0) / Math.max(1, docs.length) || 1;
  }

  get size(): number {
    return this.lengths.length;
  }

  /** Score of one document for query tokens (duplicates in the query count once). */
  score(queryTokens: ReadonlySet<string>, doc: number): number {
    const tf = this.termFreqs[doc];
    const length = this.lengths[doc];
    if (tf === undefined || length === undefined) return 0;
    const n = this.lengths.length;
    let total = 0;
    for (const term of queryTokens) {
      const f = tf.get(term);
      if (f === undefined) continue;
      const df = this.docFreq.get(term) ?? 0;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      total += (idf * f * (this.k1 + 1)) / (f + this.k1 * (1 - this.b + (this.b * length) / this.avgLength));
    }
    return total;
  }

  /** Documents with a positive score, best first (ties keep document order). */
  search(query: string, limit = 10): { doc: number; score: number }[] {
    const terms = new Set(tokenize(query));
    const hits: { doc: number; score: number }[] = [];
    for (let doc = 0; doc < this.lengths.length; doc++) {
      const score = this.score(terms, doc);
      if (score > 0) hits.push({ doc, score });
    }
    hits.sort((x, y) => y.score - x.score || x.doc - y.doc);
    return hits.slice(0, limit);
  }
}
