import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { CallCounter } from './call-counter.js';
import { QUERY_TOOL, RESOLVE_TOOL } from './docs-tools.js';
import type { LocalDocsSource } from './local-docs-source.js';

export const DOCS_SERVER_INFO = { name: 'agent-factory-docs', version: '0.1.0' } as const;

// The same argument names and meanings as Context7's, so a client cannot tell the two apart.
const resolveShape = {
  query: z.string().describe("What the docs are wanted for; ranks the matches (Context7's meaning)."),
  libraryName: z.string().describe('Library name to find a Context7-compatible id for, e.g. "Next.js".'),
};
const queryShape = {
  libraryId: z.string().describe('Context7-compatible library id, e.g. "/vercel/next.js", from resolve-library-id.'),
  query: z.string().describe('What to look up in the docs, one concept at a time.'),
};

const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });

/**
 * The project's docs as an MCP server: Context7's two current tools with its answer texts, from
 * the bundled knowledge base (and the user's Markdown). Each call is counted per (tool, library, query).
 */
export function createDocsMcpServer(source: LocalDocsSource, counter?: CallCounter): McpServer {
  const server = new McpServer(DOCS_SERVER_INFO, {
    instructions: 'Best practices, patterns, pitfalls and a short example per library, in Context7 formats. Resolve a name first, then query its docs.',
  });
  server.registerTool(
    RESOLVE_TOOL,
    {
      title: 'Resolve library id',
      description: 'Resolves a library or practice-area name to Context7-compatible library ids, best match first.',
      inputSchema: resolveShape,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ query, libraryName }) => {
      counter?.count(RESOLVE_TOOL, libraryName, query);
      return text(source.resolveLibraryText(libraryName, query));
    },
  );
  server.registerTool(
    QUERY_TOOL,
    {
      title: 'Query documentation',
      description: "Best practices, patterns, pitfalls and an example for a library, ranked by relevance to the query.",
      inputSchema: queryShape,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ libraryId, query }) => {
      counter?.count(QUERY_TOOL, libraryId, query);
      return text(await source.queryDocs(libraryId, query));
    },
  );
  return server;
}
