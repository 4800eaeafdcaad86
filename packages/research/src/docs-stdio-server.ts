import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallCounter } from './call-counter.js';
import { createDocsMcpServer } from './docs-mcp-server.js';
import type { LocalDocsSource } from './local-docs-source.js';

export interface RunningDocsStdioServer {
  counter: CallCounter;
  /** Resolves when the client goes away (stdin ends) or close() is called. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves the docs MCP server on this process's stdin/stdout. stdout then belongs to the protocol:
 * anything else the process says must go to stderr.
 */
export async function serveDocsStdio(options: { source: LocalDocsSource; counter?: CallCounter }): Promise<RunningDocsStdioServer> {
  const counter = options.counter ?? new CallCounter();
  const server = createDocsMcpServer(options.source, counter);
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
  return { counter, closed, close };
}
