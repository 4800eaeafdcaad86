import { serveStdio, startMcpHttpServer, type McpHttpServerOptions, type RunningMcpHttpServer, type RunningStdioServer } from '@agent-factory/research/serve';
import type { ToolContext } from './agent-tools.js';
import { createFactoryMcpServer } from './server.js';

/** Serves the factory's tools on stdin/stdout (what `claude mcp add` starts); stdout is the protocol's. */
export function serveFactoryStdio(context: ToolContext): Promise<RunningStdioServer> {
  return serveStdio(createFactoryMcpServer(context));
}

/**
 * Serves the factory's tools over Streamable HTTP at /mcp, stateless: a server per request, all
 * sharing one factory (its research source and Redis connection). Loopback unless told otherwise;
 * `authorize` checks each request (the CLI's is the API server's token rule).
 */
export function startFactoryHttp(context: ToolContext, options: Pick<McpHttpServerOptions, 'port' | 'host' | 'authorize'> = {}): Promise<RunningMcpHttpServer> {
  return startMcpHttpServer({ createServer: () => createFactoryMcpServer(context), ...options });
}
