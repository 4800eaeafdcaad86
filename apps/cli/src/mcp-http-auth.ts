import type { IncomingMessage } from 'node:http';
import type { HttpRefusal } from '@agent-factory/research/serve';
import { AUTH_CHALLENGES, checkListenOptions, requestAuthorizer } from '@agent-factory/server';
import { UsageError } from './usage-error.js';

/**
 * `mcp --http`'s guard, the API server's own rules (`serve`), so both are protected alike: no
 * non-loopback bind without AF_API_TOKEN (a UsageError, before anything starts), and a request check:
 * with the token a bearer token (or basic password), without it only requests addressed to localhost.
 */
export function mcpHttpAuthorizer(host: string, apiToken: string | undefined): (req: IncomingMessage) => HttpRefusal | undefined {
  try {
    checkListenOptions({ host, apiToken });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const authorize = requestAuthorizer({ apiToken });
  return (req) => {
    const verdict = authorize({ host: req.headers.host, authorization: req.headers.authorization, method: req.method ?? 'GET' });
    if (verdict.ok) return undefined;
    return { status: verdict.status, message: verdict.message, ...(verdict.challenge ? { headers: { 'www-authenticate': [...AUTH_CHALLENGES] } } : {}) };
  };
}
