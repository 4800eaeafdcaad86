import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

export interface RunningStdioServer {
  /** Resolves when the client goes away (stdin ends) or close() is called. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves an MCP server on this process's stdin/stdout. stdout then belongs to the protocol:
 * anything else the process says must go to stderr.
 */
export async function serveStdio(server: McpServer): Promise<RunningStdioServer> {
  const transport = new StdioServerTransport();
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= server.close().finally(resolveClosed);
    return closing;
  };
  // The SDK's stdio transport does not watch for the end of stdin: the client closing it means "stop".
  process.stdin.once('end', () => void close());
  await server.connect(transport);
  return { closed, close };
}
