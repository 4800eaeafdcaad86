import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallCounter } from './call-counter.js';
import { createDocsMcpServer } from './docs-mcp-server.js';
import type { LocalDocsSource } from './local-docs-source.js';

export interface DocsHttpServerOptions {
  source: LocalDocsSource;
  /** 0 picks a free port (default 0). */
  port?: number;
  /** Default 127.0.0.1: the server has no auth of its own. */
  host?: string;
  counter?: CallCounter;
}

export interface RunningDocsHttpServer {
  /** The MCP endpoint, e.g. http://127.0.0.1:3100/mcp. */
  url: string;
  port: number;
  counter: CallCounter;
  close(): Promise<void>;
}

export const MCP_PATH = '/mcp';
/** The call counts as JSON, for tests and the duplicate-research detector. */
export const CALLS_PATH = '/_calls';

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A JSON-RPC error body, the shape MCP clients expect even on HTTP errors. */
const rpcError = (message: string): unknown => ({ jsonrpc: '2.0', error: { code: -32000, message }, id: null });

/**
 * Serves the docs MCP server over Streamable HTTP, stateless (`sessionIdGenerator: undefined`):
 * every POST gets its own server and transport, so any number of clients and workers can share it.
 */
export async function startDocsHttpServer(options: DocsHttpServerOptions): Promise<RunningDocsHttpServer> {
  const counter = options.counter ?? new CallCounter();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === CALLS_PATH) return sendJson(res, 200, counter.snapshot());
    if (req.method === 'GET' && path === '/healthz') return sendJson(res, 200, { ok: true });
    if (path !== MCP_PATH) return sendJson(res, 404, rpcError('not found'));
    // Stateless: no SSE stream to open (GET) and no session to end (DELETE).
    if (req.method !== 'POST') return sendJson(res, 405, rpcError('Method not allowed.'));
    const server = createDocsMcpServer(options.source, counter);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  };
  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, rpcError(error instanceof Error ? error.message : String(error)));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  const { port, address } = http.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}${port ? `:${port}` : ''}${MCP_PATH}`,
    port,
    counter,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}
