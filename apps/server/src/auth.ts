import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { sendError } from './errors.js';
import { isLoopbackHost } from './options.js';

/** admin: everything (AF_API_TOKEN, or anyone on a token-less loopback server); viewer: reads only. */
export type Role = 'admin' | 'viewer';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The role the auth middleware gave this request. */
export function roleOf(res: Response): Role {
  return (res.locals as { role?: Role }).role ?? 'viewer';
}

/** The token of `Authorization: Bearer <t>` or the password of `Authorization: Basic` (browsers, Bull Board). */
export function presentedToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const bearer = /^Bearer +(\S+) *$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header);
  if (!basic?.[1]) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // The user name is ignored: the token is the password.
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/** Hashing first gives equal-length buffers, so timingSafeEqual never leaks the token's length. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The name a Host header addresses (`[::1]:3000` → `::1`), undefined when it is not a host. */
function hostnameOf(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return undefined;
  }
}

/** The WWW-Authenticate values a 401 carries: basic for browsers (and Bull Board), bearer for clients. */
export const AUTH_CHALLENGES = ['Basic realm="agent-factory", charset="UTF-8"', 'Bearer realm="agent-factory"'] as const;

/** What a check needs of a request, whatever server received it. */
export interface AuthRequest {
  /**
   * The request's own Host header. Never express's req.hostname: behind `trust proxy` that comes from
   * X-Forwarded-Host, which a page reached through DNS rebinding sets as it likes.
   */
  host: string | undefined;
  authorization: string | undefined;
  method: string;
}

export type AuthVerdict =
  | { ok: true; role: Role }
  | { ok: false; status: 401 | 403; code: string; message: string; /** Send AUTH_CHALLENGES with it. */ challenge: boolean };

/**
 * The server's access rule, apart from express so other HTTP servers of ours (`mcp --http`) apply
 * the same one. Viewers get 403 on anything but reads. Without an API token (loopback only) everyone
 * is admin, but only requests addressed to a loopback name are answered, so a web page cannot reach
 * the server through DNS rebinding.
 */
export function requestAuthorizer(tokens: { apiToken?: string; viewerToken?: string }): (req: AuthRequest) => AuthVerdict {
  const admin = tokens.apiToken === undefined ? undefined : digest(tokens.apiToken);
  const viewer = tokens.viewerToken === undefined ? undefined : digest(tokens.viewerToken);
  return (req) => {
    let role: Role;
    if (admin === undefined) {
      if (!isLoopbackHost(hostnameOf(req.host))) {
        return { ok: false, status: 403, code: 'forbidden_host', message: 'without AF_API_TOKEN this server only answers requests addressed to localhost', challenge: false };
      }
      role = 'admin';
    } else {
      const token = presentedToken(req.authorization);
      if (token === undefined) {
        return { ok: false, status: 401, code: 'unauthorized', message: 'send the API token as "Authorization: Bearer <token>" or as the basic-auth password', challenge: true };
      }
      const presented = digest(token);
      // Both comparisons always run, so timing does not tell which token was close.
      const isAdmin = timingSafeEqual(presented, admin);
      const isViewer = viewer !== undefined && timingSafeEqual(presented, viewer);
      if (!isAdmin && !isViewer) return { ok: false, status: 401, code: 'unauthorized', message: 'the token is not valid', challenge: true };
      role = isAdmin ? 'admin' : 'viewer';
    }
    if (role === 'viewer' && !READ_METHODS.has(req.method)) {
      return { ok: false, status: 403, code: 'read_only', message: 'the viewer token can only read; use the API token to change anything', challenge: false };
    }
    return { ok: true, role };
  };
}

/** requestAuthorizer as express middleware: refuses with the API's error body, or sets `res.locals.role`. */
export function authenticate(tokens: { apiToken?: string; viewerToken?: string }): RequestHandler {
  const authorize = requestAuthorizer(tokens);
  return (req, res, next) => {
    const verdict = authorize({ host: req.get('host'), authorization: req.get('authorization'), method: req.method });
    if (!verdict.ok) {
      for (const value of verdict.challenge ? AUTH_CHALLENGES : []) res.append('WWW-Authenticate', value);
      sendError(res, verdict.status, verdict.code, verdict.message);
      return;
    }
    (res.locals as { role?: Role }).role = verdict.role;
    next();
  };
}
