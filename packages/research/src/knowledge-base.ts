import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bm25Index, tokenize } from './bm25.js';
import { parseKnowledgeFile, type KnowledgeEntry } from './knowledge-file.js';

/** A heading-delimited part of one of the user's own Markdown files (standards, ADRs …). */
export interface UserDocSection {
  title: string;
  /** The headings above it, outermost first (e.g. the ADR's title). */
  parents: string[];
  /** The file, relative to the docs dir it was found in. */
  file: string;
  text: string;
}

export type KnowledgeKind = 'practices' | 'patterns' | 'pitfalls' | 'example';

/** One rankable fact of an entry: a bullet or the example. */
interface ItemRef {
  kind: KnowledgeKind;
  index: number;
}

export interface RankedItems {
  kind: KnowledgeKind;
  /** Indexes into the entry's list of that kind, best first; the example is index 0. */
  order: number[];
  /** Best score among the kind's items, to order the kinds. */
  best: number;
}

/** Where the bundled knowledge files live, next to both src/ and dist/. */
export const BUNDLED_KNOWLEDGE_DIR = fileURLToPath(new URL('../knowledge/', import.meta.url));

const KINDS: readonly KnowledgeKind[] = ['practices', 'patterns', 'pitfalls', 'example'];

/** Splits Markdown into sections at headings of any level, ignoring `#` lines inside code fences. */
export function splitMarkdownSections(text: string, file: string): UserDocSection[] {
  const sections: UserDocSection[] = [];
  // Headings by level; a section's parents are the headings above its own level.
  const stack: { level: number; title: string }[] = [];
  let title = basename(file).replace(/\.md$/i, '');
  let parents: string[] = [];
  let lines: string[] = [];
  let fenced = false;
  const flush = (): void => {
    const body = lines.join('\n').trim();
    if (body !== '') sections.push({ title, parents, file, text: body });
    lines = [];
  };
  for (const line of text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading?.[1] !== undefined && heading[2] !== undefined) {
      flush();
      const level = heading[1].length;
      while ((stack[stack.length - 1]?.level ?? 0) >= level) stack.pop();
      parents = stack.map((h) => h.title);
      title = heading[2];
      stack.push({ level, title });
    } else lines.push(line);
  }
  flush();
  return sections;
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.toLowerCase().endsWith('.md') && statSync(join(dir, f)).isFile())
    .sort();
}

/** The bundled knowledge entries plus the user's docs, indexed for relevance ranking. */
export class KnowledgeBase {
  private readonly byId = new Map<string, KnowledgeEntry>();
  private readonly byProject = new Map<string, KnowledgeEntry>();
  private readonly itemIndex: Bm25Index;
  private readonly itemRefs = new Map<string, { start: number; refs: ItemRef[] }>();
  private readonly userIndex: Bm25Index;

  constructor(readonly entries: readonly KnowledgeEntry[], readonly userSections: readonly UserDocSection[] = []) {
    const docs: string[][] = [];
    const ambiguous = new Set<string>();
    for (const entry of entries) {
      const key = entry.id.toLowerCase();
      if (this.byId.has(key)) throw new Error(`${entry.file}: duplicate id ${entry.id}`);
      this.byId.set(key, entry);
      const project = key.split('/')[2] ?? key;
      // A project name two ids share (…/docs) identifies neither.
      if (ambiguous.has(project) || this.byProject.has(project)) {
        ambiguous.add(project);
        this.byProject.delete(project);
      } else this.byProject.set(project, entry);
      const refs: ItemRef[] = [];
      for (const kind of ['practices', 'patterns', 'pitfalls'] as const) {
        entry[kind].forEach((text, index) => {
          refs.push({ kind, index });
          docs.push(tokenize(text));
        });
      }
      if (entry.example) {
        refs.push({ kind: 'example', index: 0 });
        docs.push(tokenize(entry.example.code));
      }
      this.itemRefs.set(key, { start: docs.length - refs.length, refs });
    }
    this.itemIndex = new Bm25Index(docs);
    // The title counts twice: a heading that names the topic is the strongest signal.
    this.userIndex = new Bm25Index(
      userSections.map((s) => [...tokenize(s.parents.join(' ')), ...tokenize(s.title), ...tokenize(s.title), ...tokenize(s.text)]),
    );
  }

  /** An entry by its id (case-insensitive), or by the project part of an id another catalog spells differently. */
  get(libraryId: string): KnowledgeEntry | undefined {
    const key = libraryId.trim().toLowerCase().replace(/\/+$/, '');
    return this.byId.get(key) ?? this.byProject.get(key.split('/')[2] ?? '');
  }

  /** Entries whose id, name or aliases match a library name; the best match first. */
  resolve(libraryName: string): KnowledgeEntry[] {
    const wanted = libraryName.trim().toLowerCase();
    if (wanted === '') return [];
    const words = new Set(tokenize(wanted));
    const scored: { entry: KnowledgeEntry; score: number }[] = [];
    for (const entry of this.entries) {
      const names = [entry.name.toLowerCase(), ...entry.aliases];
      let score = 0;
      if (entry.id.toLowerCase() === wanted) score = 100;
      else if (names.includes(wanted)) score = 90;
      else if (names.some((n) => n.startsWith(wanted) || wanted.startsWith(`${n} `))) score = 50;
      else if (tokenize(entry.name).some((w) => words.has(w))) score = 10;
      if (score > 0) scored.push({ entry, score });
    }
    return scored.sort((x, y) => y.score - x.score).map((s) => s.entry);
  }

  /** An entry's facts grouped by kind, each kind's items and the kinds themselves ordered by BM25 relevance. */
  rank(entry: KnowledgeEntry, query: string): RankedItems[] {
    const terms = new Set(tokenize(query));
    const slot = this.itemRefs.get(entry.id.toLowerCase());
    const groups = new Map<KnowledgeKind, { index: number; score: number }[]>();
    slot?.refs.forEach((ref, i) => {
      const list = groups.get(ref.kind) ?? [];
      list.push({ index: ref.index, score: this.itemIndex.score(terms, slot.start + i) });
      groups.set(ref.kind, list);
    });
    const ranked: RankedItems[] = [];
    for (const kind of KINDS) {
      const items = groups.get(kind);
      if (!items) continue;
      items.sort((x, y) => y.score - x.score || x.index - y.index);
      ranked.push({ kind, order: items.map((i) => i.index), best: items[0]?.score ?? 0 });
    }
    // Stable sort: equally relevant kinds keep the file's order.
    return ranked.sort((x, y) => y.best - x.best);
  }

  /** The user's doc sections most relevant to a query (BM25), best first. */
  searchUserDocs(query: string, limit = 5): { section: UserDocSection; score: number }[] {
    return this.userIndex.search(query, limit).flatMap(({ doc, score }) => {
      const section = this.userSections[doc];
      return section ? [{ section, score }] : [];
    });
  }
}

export interface ReadKnowledgeBaseOptions {
  /** The knowledge dir; the bundled one by default. */
  dir?: string;
  /** Extra dirs of the user's Markdown (any *.md, searched recursively). */
  extraDirs?: readonly string[];
}

/** Reads every knowledge file and the user's docs from the file system, once; throws on a malformed knowledge file. */
export function readKnowledgeBase(options: ReadKnowledgeBaseOptions = {}): KnowledgeBase {
  const dir = options.dir ?? BUNDLED_KNOWLEDGE_DIR;
  const entries = markdownFiles(dir).map((f) => parseKnowledgeFile(readFileSync(join(dir, f), 'utf8'), f));
  const sections: UserDocSection[] = [];
  for (const extra of options.extraDirs ?? []) {
    for (const f of markdownFiles(extra)) {
      sections.push(...splitMarkdownSections(readFileSync(join(extra, f), 'utf8'), f));
    }
  }
  return new KnowledgeBase(entries, sections);
}
