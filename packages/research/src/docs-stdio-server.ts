import { CallCounter } from './call-counter.js';
import { createDocsMcpServer } from './docs-mcp-server.js';
import type { LocalDocsSource } from './local-docs-source.js';
import { serveStdio, type RunningStdioServer } from './mcp-stdio-serve.js';

export interface RunningDocsStdioServer extends RunningStdioServer {
  counter: CallCounter;
}

/**
 * Serves the docs MCP server on this process's stdin/stdout. stdout then belongs to the protocol:
 * anything else the process says must go to stderr.
 */
export async function serveDocsStdio(options: { source: LocalDocsSource; counter?: CallCounter }): Promise<RunningDocsStdioServer> {
  const counter = options.counter ?? new CallCounter();
  return { counter, ...(await serveStdio(createDocsMcpServer(options.source, counter))) };
}
