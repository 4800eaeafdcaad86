import { CallCounter } from './call-counter.js';
import { createDocsMcpServer } from './docs-mcp-server.js';
import type { LocalDocsSource } from './local-docs-source.js';
import { startMcpHttpServer, type RunningMcpHttpServer } from './mcp-http-serve.js';

export interface DocsHttpServerOptions {
  source: LocalDocsSource;
  /** 0 picks a free port (default 0). */
  port?: number;
  /** Default 127.0.0.1: the server has no auth of its own. */
  host?: string;
  counter?: CallCounter;
}

export interface RunningDocsHttpServer extends RunningMcpHttpServer {
  counter: CallCounter;
}

/** The call counts as JSON, for tests and the duplicate-research detector. */
export const CALLS_PATH = '/_calls';

/**
 * Serves the docs MCP server over Streamable HTTP, stateless: every POST gets its own server and
 * transport, so any number of clients and workers can share it. GET /_calls returns the call counts.
 */
export async function startDocsHttpServer(options: DocsHttpServerOptions): Promise<RunningDocsHttpServer> {
  const counter = options.counter ?? new CallCounter();
  const running = await startMcpHttpServer({
    createServer: () => createDocsMcpServer(options.source, counter),
    port: options.port,
    host: options.host,
    routes: { [CALLS_PATH]: () => counter.snapshot() },
  });
  return { ...running, counter };
}
