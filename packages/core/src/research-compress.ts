import type { LibraryNotes, Snippet } from './schemas/research.js';
import type { ExtractedDocs, ItemKind } from './research-extract.js';
import { textMemo } from './memo.js';
import { estimateTokens } from './tokens.js';

export const DEFAULT_RESEARCH_BUDGET = 1500;

/** Most items of each kind kept per library: enough to guide, few enough to leave room for the rest. */
export const RESEARCH_CAPS: Readonly<Record<ItemKind | 'snippet', number>> = { practice: 5, pitfall: 3, pattern: 2, snippet: 1 };

export interface LibraryDocs {
  libraryId: string;
  name: string;
  docs: ExtractedDocs;
}

const STOP = new Set(['a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'for', 'from', 'in', 'into', 'is', 'it', 'of', 'on', 'or', 'that', 'the', 'this', 'to', 'with', 'agent', 'an', 'use', 'when']);

/** Lowercase content words, a plural `s` dropped, so the requirement and the docs meet on the same forms. */
export function contentWords(text: string): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(/[a-z0-9][a-z0-9+#]*(?:[.-][a-z0-9+#]+)*/g)) {
    let w = m[0];
    if (w.length < 2 || STOP.has(w)) continue;
    if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
    out.push(w);
  }
  return out;
}

// Key terms recur across requirements ("terraform", "pull"): their words are a lookup, not a regex scan.
// The arrays are shared: callers only read them.
const termWords = textMemo(10_000, contentWords);

// Token counts of rendered lines, memoized: docs repeat across requirements and BPE is the slow part.
const tokensOf = textMemo(50_000, estimateTokens);

const KIND_LABEL: Record<ItemKind, string> = { practice: 'Practices:', pitfall: 'Pitfalls:', pattern: 'Patterns:' };
const KIND_ORDER: readonly ItemKind[] = ['practice', 'pitfall', 'pattern'];
const LIST_KEY = { practice: 'practices', pitfall: 'pitfalls', pattern: 'patterns' } as const;

const headerLine = (n: Pick<LibraryNotes, 'name' | 'libraryId'>): string => `## ${n.name} (${n.libraryId})\n`;
const itemLine = (text: string): string => `- ${text}\n`;
const snippetBlock = (s: Snippet): string => `\`\`\`${s.language}\n${s.code}\n\`\`\`\n`;
const sourcesLine = (sources: readonly string[]): string => `Sources: ${sources.join(', ')}\n`;

/** The compressed research as Markdown for the generation prompt; `research.tokens` counts exactly these pieces. */
export function renderResearch(libraries: readonly LibraryNotes[]): string {
  return libraries
    .map((n) => {
      let out = headerLine(n);
      for (const kind of KIND_ORDER) {
        const list = n[LIST_KEY[kind]];
        if (list.length > 0) out += `${KIND_LABEL[kind]}\n${list.map(itemLine).join('')}`;
      }
      out += n.snippets.map(snippetBlock).join('');
      if (n.sources.length > 0) out += sourcesLine(n.sources);
      return out;
    })
    .join('\n');
}

/** Tokens of one library's rendered notes, as the sum of its memoized lines (BPE merges never cross a newline). */
function notesTokens(n: LibraryNotes): number {
  let total = tokensOf(headerLine(n));
  for (const kind of KIND_ORDER) {
    const list = n[LIST_KEY[kind]];
    if (list.length > 0) total += tokensOf(`${KIND_LABEL[kind]}\n`) + list.reduce((s, t) => s + tokensOf(itemLine(t)), 0);
  }
  for (const s of n.snippets) total += tokensOf(snippetBlock(s));
  for (const url of n.sources) total += tokensOf(`${url}, `);
  return total + (n.sources.length > 0 ? tokensOf('Sources: \n') : 0);
}

/** Tokens of renderResearch(libraries), counted from memoized pieces (plus a blank line between libraries). */
export function researchTokens(libraries: readonly LibraryNotes[]): number {
  return libraries.reduce((s, n) => s + notesTokens(n), Math.max(0, libraries.length - 1));
}

interface Candidate {
  lib: number;
  kind: ItemKind | 'snippet';
  rank: number;
  score: number;
  /** The statement's text or the snippet. */
  value: string | Snippet;
  source: string;
  /** Tokens of its rendered line or block. */
  cost: number;
}

interface Prepared {
  words: ReadonlySet<string>;
  cost: number;
}

// Words and line tokens of docs items by rendered line: the same statements recur in new answers.
const preparedByLine = new Map<string, Prepared>();
function prepare(text: string, line: string): Prepared {
  let p = preparedByLine.get(line);
  if (!p) {
    if (preparedByLine.size >= 50_000) preparedByLine.clear();
    p = { words: new Set(contentWords(text)), cost: tokensOf(line) };
    preparedByLine.set(line, p);
  }
  return p;
}

/** A docs answer's candidates without their score, and which of them hold each content word. */
interface ScoringIndex {
  candidates: Omit<Candidate, 'lib' | 'score'>[];
  byWord: ReadonlyMap<string, readonly number[]>;
}

// By answer object: sources and extraction memoize answers, so a repeated (library, topic) pair
// scores with a lookup per requirement word instead of a pass over every item's words.
const indexes = new WeakMap<ExtractedDocs, ScoringIndex>();
function scoringIndex(docs: ExtractedDocs): ScoringIndex {
  let index = indexes.get(docs);
  if (index) return index;
  const candidates: ScoringIndex['candidates'] = [];
  const byWord = new Map<string, number[]>();
  const add = (c: ScoringIndex['candidates'][number], words: ReadonlySet<string>): void => {
    for (const w of words) {
      const list = byWord.get(w);
      if (list) list.push(candidates.length);
      else byWord.set(w, [candidates.length]);
    }
    candidates.push(c);
  };
  const ranks: Record<ItemKind, number> = { practice: 0, pitfall: 0, pattern: 0 };
  for (const item of docs.items) {
    const p = prepare(item.text, itemLine(item.text));
    add({ kind: item.kind, rank: ranks[item.kind]++, value: item.text, source: item.source, cost: p.cost }, p.words);
  }
  // A snippet costs as much as several statements: it competes as if ranked two places lower.
  docs.snippets.forEach((snippet, i) => {
    const p = prepare(snippet.code, snippetBlock(snippet));
    add({ kind: 'snippet', rank: i + 2, value: snippet, source: snippet.source, cost: p.cost }, p.words);
  });
  index = { candidates, byWord };
  indexes.set(docs, index);
  return index;
}

const KIND_RANK: Record<Candidate['kind'], number> = { practice: 0, pitfall: 1, pattern: 2, snippet: 3 };

/**
 * Every item scored by its overlap with the requirement: 3 for each of its words among the key terms',
 * 1 for each other word of the requirement.
 */
function candidatesOf(libraries: readonly LibraryDocs[], wanted: ReadonlySet<string>, key: ReadonlySet<string>): Candidate[] {
  const out: Candidate[] = [];
  libraries.forEach((lib, l) => {
    const { candidates, byWord } = scoringIndex(lib.docs);
    const scores = new Array<number>(candidates.length).fill(0);
    for (const w of key) for (const i of byWord.get(w) ?? []) scores[i] = (scores[i] ?? 0) + 3;
    for (const w of wanted) if (!key.has(w)) for (const i of byWord.get(w) ?? []) scores[i] = (scores[i] ?? 0) + 1;
    candidates.forEach((c, i) => out.push({ lib: l, kind: c.kind, rank: c.rank, score: scores[i] ?? 0, value: c.value, source: c.source, cost: c.cost }));
  });
  return out.sort((x, y) => y.score - x.score || x.rank - y.rank || x.lib - y.lib || KIND_RANK[x.kind] - KIND_RANK[y.kind]);
}

/**
 * Keeps the docs items that matter most to the requirement within the token budget: items ranked by
 * overlap with the requirement's words (key terms count triple), then by the source's own order, at most
 * RESEARCH_CAPS per library. Libraries with nothing kept are left out. Costs add up line by line, the
 * same pieces researchTokens counts.
 */
export function compressResearch(
  libraries: readonly LibraryDocs[],
  requirement: string,
  keyTerms: readonly string[],
  budgetTokens = DEFAULT_RESEARCH_BUDGET,
): { libraries: LibraryNotes[]; tokens: number } {
  const wanted = new Set(contentWords(requirement));
  const key = new Set(keyTerms.flatMap((term) => termWords(term)));
  const notes: LibraryNotes[] = libraries.map((lib) => ({
    libraryId: lib.libraryId, name: lib.name, practices: [], pitfalls: [], patterns: [], snippets: [], sources: [],
  }));
  const used = notes.map(() => false);
  let total = 0;
  for (const c of candidatesOf(libraries, wanted, key)) {
    const n = notes[c.lib];
    if (!n) continue;
    const list: unknown[] = c.kind === 'snippet' ? n.snippets : n[LIST_KEY[c.kind]];
    if (list.length >= RESEARCH_CAPS[c.kind]) continue;
    let cost = c.cost;
    // Opening a library adds its header (and the blank line before it); opening a kind adds its label.
    if (!used[c.lib]) cost += tokensOf(headerLine(n)) + (total > 0 ? 1 : 0);
    if (c.kind !== 'snippet' && list.length === 0) cost += tokensOf(`${KIND_LABEL[c.kind]}\n`);
    const newSource = c.source !== '' && !n.sources.includes(c.source);
    if (newSource) cost += tokensOf(`${c.source}, `) + (n.sources.length === 0 ? tokensOf('Sources: \n') : 0);
    if (total + cost > budgetTokens) continue;
    if (typeof c.value === 'string') n[LIST_KEY[c.kind as ItemKind]].push(c.value);
    else n.snippets.push(c.value);
    if (newSource) n.sources.push(c.source);
    used[c.lib] = true;
    total += cost;
  }
  return { libraries: notes.filter((_, i) => used[i]), tokens: total };
}
