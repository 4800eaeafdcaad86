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

function challenge(res: Response): void {
  res.append('WWW-Authenticate', 'Basic realm="agent-factory", charset="UTF-8"');
  res.append('WWW-Authenticate', 'Bearer realm="agent-factory"');
}

/**
 * Authenticates every request behind it and sets `res.locals.role`. Viewers get 403 on anything but
 * reads. Without an API token (loopback only) everyone is admin, but only requests addressed to a
 * loopback name are answered, so a web page cannot reach the server through DNS rebinding.
 */
export function authenticate(tokens: { apiToken?: string; viewerToken?: string }): RequestHandler {
  const admin = tokens.apiToken === undefined ? undefined : digest(tokens.apiToken);
  const viewer = tokens.viewerToken === undefined ? undefined : digest(tokens.viewerToken);
  return (req, res, next) => {
    let role: Role;
    if (admin === undefined) {
      if (!isLoopbackHost(req.hostname)) {
        sendError(res, 403, 'forbidden_host', 'without AF_API_TOKEN this server only answers requests addressed to localhost');
        return;
      }
      role = 'admin';
    } else {
      const token = presentedToken(req.get('authorization'));
      if (token === undefined) {
        challenge(res);
        sendError(res, 401, 'unauthorized', 'send the API token as "Authorization: Bearer <token>" or as the basic-auth password');
        return;
      }
      const presented = digest(token);
      // Both comparisons always run, so timing does not tell which token was close.
      const isAdmin = timingSafeEqual(presented, admin);
      const isViewer = viewer !== undefined && timingSafeEqual(presented, viewer);
      if (!isAdmin && !isViewer) {
        challenge(res);
        sendError(res, 401, 'unauthorized', 'the token is not valid');
        return;
      }
      role = isAdmin ? 'admin' : 'viewer';
    }
    if (role === 'viewer' && !READ_METHODS.has(req.method)) {
      sendError(res, 403, 'read_only', 'the viewer token can only read; use the API token to change anything');
      return;
    }
    (res.locals as { role?: Role }).role = role;
    next();
  };
}
