/**
 * The texts Context7's MCP tools answer with, so the bundled docs read exactly like the real service
 * (and the docs MCP server can serve the same strings).
 */

/** One snippet of a `query-docs` answer. */
export interface DocSection {
  title: string;
  source: string;
  /** Prose (Markdown) under the title; may be empty. */
  text: string;
  code?: { language: string; code: string };
}

/** One entry of a `resolve-library-id` answer. */
export interface LibrarySearchResult {
  title: string;
  libraryId: string;
  description: string;
  codeSnippets?: number;
  /** Context7's label for its trust score. */
  sourceReputation?: 'High' | 'Medium' | 'Low' | 'Unknown';
  benchmarkScore?: number;
  versions?: string[];
}

/** Context7 separates snippets of a docs answer with a rule of dashes. */
export const SNIPPET_SEPARATOR = '--------------------------------';

/** What Context7 says for a library id it does not have (its 404 text). */
export const UNKNOWN_LIBRARY_TEXT =
  'The library you are trying to access does not exist. Please try with a different library ID.';

/** What Context7's `resolve-library-id` says when nothing matches. */
export const NO_LIBRARIES_TEXT = 'No libraries found matching the provided name.';

/** Renders a `query-docs` answer: `### title`, `Source: url`, text, fenced code, separated by rules. */
export function formatQueryDocs(sections: readonly DocSection[]): string {
  return sections
    .map((s) => {
      const parts = [`### ${s.title}`, `Source: ${s.source}`];
      if (s.text.trim() !== '') parts.push(s.text.trim());
      if (s.code) parts.push(`\`\`\`${s.code.language}\n${s.code.code.replace(/\n+$/, '')}\n\`\`\``);
      return parts.join('\n\n');
    })
    .join(`\n\n${SNIPPET_SEPARATOR}\n\n`);
}

/** Renders a `resolve-library-id` answer: `Available Libraries:` then entries separated by `----------`. */
export function formatLibrarySearch(results: readonly LibrarySearchResult[]): string {
  if (results.length === 0) return NO_LIBRARIES_TEXT;
  const entries = results.map((r) => {
    const lines = [
      `- Title: ${r.title}`,
      `- Context7-compatible library ID: ${r.libraryId}`,
      `- Description: ${r.description}`,
    ];
    if (r.codeSnippets !== undefined && r.codeSnippets >= 0) lines.push(`- Code Snippets: ${r.codeSnippets}`);
    lines.push(`- Source Reputation: ${r.sourceReputation ?? 'Unknown'}`);
    if (r.benchmarkScore !== undefined && r.benchmarkScore > 0) lines.push(`- Benchmark Score: ${r.benchmarkScore}`);
    if (r.versions && r.versions.length > 0) lines.push(`- Versions: ${r.versions.join(', ')}`);
    return lines.join('\n');
  });
  return `Available Libraries:\n\n${entries.join('\n----------\n')}`;
}

/**
 * Reads a `resolve-library-id` answer back into matches, in the answer's order (best first). Lines
 * other than title, id and description are ignored, so newer fields do not break it.
 */
export function parseLibrarySearch(text: string): { libraryId: string; title: string; description?: string }[] {
  const matches: { libraryId: string; title: string; description?: string }[] = [];
  for (const entry of text.split(/\n-{3,}\n/)) {
    const field = (name: string): string | undefined => new RegExp(`^\\s*-?\\s*${name}:\\s*(.+)$`, 'im').exec(entry)?.[1]?.trim();
    const libraryId = field('Context7-compatible library ID');
    if (!libraryId) continue;
    const description = field('Description');
    matches.push({ libraryId, title: field('Title') ?? libraryId, ...(description ? { description } : {}) });
  }
  return matches;
}
