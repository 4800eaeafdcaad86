/** A library or platform that analysis recognizes, with its Context7-style id. */
export interface LibraryEntry {
  /** Display name, e.g. "Next.js". */
  name: string;
  /** Context7-compatible id, e.g. "/vercel/next.js". */
  libraryId: string;
  /** Lowercase words or phrases that name it in a requirement (matched on word boundaries). */
  aliases: string[];
  /** The domain it belongs to (one of DOMAINS in analyze). */
  domain: string;
}

// STUB: owned by the analysis helper; replaced with the full catalog (>= 60 entries).
export const LIBRARIES: LibraryEntry[] = [];
