import { z } from 'zod';

export const SnippetSchema = z.object({
  language: z.string(),
  code: z.string(),
  source: z.string(),
});
export type Snippet = z.infer<typeof SnippetSchema>;

/** What research found about one library or domain, already extracted from the docs text. */
export const LibraryNotesSchema = z.object({
  libraryId: z.string(),
  name: z.string(),
  practices: z.array(z.string()),
  pitfalls: z.array(z.string()),
  patterns: z.array(z.string()),
  snippets: z.array(SnippetSchema),
  /** Where these facts come from (URLs or document names). */
  sources: z.array(z.string()),
});
export type LibraryNotes = z.infer<typeof LibraryNotesSchema>;

export const ResearchSchema = z.object({
  libraries: z.array(LibraryNotesSchema),
  /** Estimated tokens of the compressed research handed to generation. */
  tokens: z.number().int().nonnegative(),
  /** Calls made to the docs source for this requirement (0 when every pair was cached). */
  calls: z.number().int().nonnegative(),
  /** Look-ups the requirement needed (docs queries and name resolutions): without a cache, one call each. */
  lookups: z.number().int().nonnegative().optional(),
  /** Why research is missing or partial, when it is. */
  degraded: z.array(z.string()),
});
export type Research = z.infer<typeof ResearchSchema>;

export const EMPTY_RESEARCH: Research = { libraries: [], tokens: 0, calls: 0, degraded: [] };
