/** A library id as a docs source resolves it (Context7's `resolve-library-id`). */
export interface LibraryMatch {
  libraryId: string;
  title: string;
  description?: string;
}

/** Where research reads library documentation: Context7, the bundled docs, or nothing. */
export interface DocsSource {
  readonly name: string;
  /** Finds library ids for a name; the best match first. */
  resolveLibrary(libraryName: string, query: string): Promise<LibraryMatch[]>;
  /**
   * Documentation for a library relevant to a query, as Context7-style Markdown:
   * `### title`, `Source: url`, text and fenced code, sections separated by blank lines.
   */
  queryDocs(libraryId: string, query: string): Promise<string>;
  close?(): Promise<void>;
}
