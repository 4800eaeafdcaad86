import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

export const MCP_PATH = '/mcp';

/** Why a request to `/mcp` is refused: the HTTP status, a one-line message, extra headers (WWW-Authenticate). */
export interface HttpRefusal {
  status: number;
  message: string;
  headers?: Record<string, string | string[]>;
}

export interface McpHttpServerOptions {
  /** A fresh server per request: stateless mode shares nothing between requests but what this closes over. */
  createServer: () => McpServer;
  /** 0 picks a free port (default 0). */
  port?: number;
  /** Default 127.0.0.1: without `authorize` the server has no auth of its own. */
  host?: string;
  /** Checks every `/mcp` request before it reaches the server; a refusal is answered as a JSON-RPC error. */
  authorize?: (req: IncomingMessage) => HttpRefusal | undefined;
  /** Extra GET routes answering JSON (a path → the body), beside `/healthz`. */
  routes?: Record<string, () => unknown>;
}

export interface RunningMcpHttpServer {
  /** The MCP endpoint, e.g. http://127.0.0.1:3100/mcp. */
  url: string;
  port: number;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: HttpRefusal['headers'] = {}): void {
  res.writeHead(status, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A JSON-RPC error body, the shape MCP clients expect even on HTTP errors. */
const rpcError = (message: string): unknown => ({ jsonrpc: '2.0', error: { code: -32000, message }, id: null });

/**
 * Serves an MCP server over Streamable HTTP at `/mcp`, stateless (`sessionIdGenerator: undefined`):
 * every POST gets its own server and transport, so any number of clients can share it.
 */
export async function startMcpHttpServer(options: McpHttpServerOptions): Promise<RunningMcpHttpServer> {
  const routes: Record<string, () => unknown> = { '/healthz': () => ({ ok: true }), ...options.routes };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (req.method === 'GET' && route) return sendJson(res, 200, route());
    if (path !== MCP_PATH) return sendJson(res, 404, rpcError('not found'));
    const refusal = options.authorize?.(req);
    if (refusal) return sendJson(res, refusal.status, rpcError(refusal.message), refusal.headers);
    // Stateless: no SSE stream to open (GET) and no session to end (DELETE).
    if (req.method !== 'POST') return sendJson(res, 405, rpcError('Method not allowed.'));
    const server = options.createServer();
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
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}
