import { isIP } from 'node:net';
import type { ErrorLogger } from './errors.js';

export interface ServerOptions {
  /** AF_API_TOKEN: full access. Without it the server only binds loopback and asks for no token. */
  apiToken?: string;
  /** AF_VIEWER_TOKEN: read-only Bull Board and GET routes. Needs an apiToken too. */
  viewerToken?: string;
  host: string;
  port: number;
  /** JSON body limit in bytes; default 1 MB. */
  bodyLimit?: number;
  /**
   * Behind a reverse proxy: express's `trust proxy` (true, a hop count, or trusted addresses), so a
   * client is its X-Forwarded-For address, not the proxy's: the SSE limit per client then holds per user.
   */
  trustProxy?: boolean | number | string;
  /** Concurrent SSE streams per client IP; default 5. */
  maxSsePerClient?: number;
  /** How often an SSE stream polls the batch; default 500 ms. */
  ssePollMs?: number;
  /** Heartbeat comment interval on SSE streams; default 15 s (below common proxy idle timeouts). */
  sseHeartbeatMs?: number;
  /** How long /readyz waits for Redis to answer PING; default 1 s. */
  readyTimeoutMs?: number;
  /** Unexpected errors (5xx) are reported here; pino fits. */
  logger?: ErrorLogger;
  /** Aborting it closes every open SSE stream (startServer's close() does this). */
  signal?: AbortSignal;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Loopback names and addresses: the only binds allowed without a token. (A request without Host has none.) */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h.startsWith('::ffff:127.');
  return false;
}

/** Rejects option sets that would leave the server open or ambiguous, with a message a user can act on. */
export function checkServerOptions(options: Pick<ServerOptions, 'apiToken' | 'viewerToken'>): void {
  if (options.apiToken !== undefined && options.apiToken.length < 16) {
    throw new Error('AF_API_TOKEN is too short: use at least 16 random characters (e.g. `openssl rand -hex 24`)');
  }
  if (options.viewerToken !== undefined) {
    if (options.apiToken === undefined) throw new Error('AF_VIEWER_TOKEN needs AF_API_TOKEN as well (otherwise nobody could write)');
    if (options.viewerToken.length < 16) throw new Error('AF_VIEWER_TOKEN is too short: use at least 16 random characters');
    if (options.viewerToken === options.apiToken) throw new Error('AF_VIEWER_TOKEN must differ from AF_API_TOKEN');
  }
}

/** startServer's guard: a non-loopback bind without AF_API_TOKEN would expose the queues to the network. */
export function checkBind(host: string, apiToken: string | undefined): void {
  if (apiToken === undefined && !isLoopbackHost(host)) {
    throw new Error(`refusing to listen on ${host} without AF_API_TOKEN: set AF_API_TOKEN (and optionally AF_VIEWER_TOKEN), or bind 127.0.0.1`);
  }
}

/** Both checks at once, for a caller (the `serve` command) that wants to fail before connecting to Redis. */
export function checkListenOptions(options: Pick<ServerOptions, 'host' | 'apiToken' | 'viewerToken'>): void {
  checkServerOptions(options);
  checkBind(options.host, options.apiToken);
}
