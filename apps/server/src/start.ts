import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FactoryConnection } from '@agent-factory/queue';
import { createServer } from './app.js';
import { checkBind, type ServerOptions } from './options.js';
import { BOARD_PATH } from './security.js';

export interface RunningServer {
  /** e.g. http://127.0.0.1:3000 (the bound port, also when 0 was asked for). */
  url: string;
  /** Bull Board's page. */
  boardUrl: string;
  server: Server;
  /** Stops accepting, ends open event streams, waits for requests in flight (at most graceMs). */
  close(graceMs?: number): Promise<void>;
}

/** Builds the app and listens; refuses a non-loopback host without AF_API_TOKEN. Does not close `conn`. */
export async function startServer(conn: FactoryConnection, options: ServerOptions): Promise<RunningServer> {
  checkBind(options.host, options.apiToken);
  // Ends open SSE streams on close(); the caller's own signal, if any, does the same.
  const shutdown = new AbortController();
  options.signal?.addEventListener('abort', () => shutdown.abort(), { once: true });
  const server = createHttpServer(createServer(conn, { ...options, signal: shutdown.signal }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    boardUrl: `${url}${BOARD_PATH}`,
    server,
    close(graceMs = 5000) {
      closing ??= new Promise<void>((resolve, reject) => {
        shutdown.abort();
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        force.unref();
        server.close((error) => {
          clearTimeout(force);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
