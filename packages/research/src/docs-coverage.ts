import type { UserDocSection } from './knowledge-base.js';
import type { KnowledgeEntry } from './knowledge-file.js';

/*
 * Context7's `- Benchmark Score:` rates a library's docs 0–100 by how well they answer common
 * questions. The bundled docs were never run through such a benchmark, so they report the nearest
 * thing they can measure: how much of what a `query-docs` answer draws on an entry has.
 */

const percent = (part: number, whole: number): number => (whole === 0 ? 0 : Math.round((100 * part) / whole));

/** A curated entry: the share of its parts (practices, patterns, pitfalls, an example, a source) it has. */
export function entryBenchmarkScore(entry: KnowledgeEntry): number {
  const parts = [entry.practices.length > 0, entry.patterns.length > 0, entry.pitfalls.length > 0, entry.example !== undefined, entry.sources.length > 0];
  return percent(parts.filter(Boolean).length, parts.length);
}

/** The user's docs: the share of their sections that have text under the heading. */
export function userDocsBenchmarkScore(sections: readonly UserDocSection[]): number {
  return percent(sections.filter((s) => s.text.trim() !== '').length, sections.length);
}

/** Code snippets in the user's docs: their fenced blocks. */
export function userDocsCodeSnippets(sections: readonly UserDocSection[]): number {
  return sections.reduce((n, s) => n + Math.floor((s.text.match(/^\s*(```|~~~)/gm)?.length ?? 0) / 2), 0);
}
