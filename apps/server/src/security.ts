import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { sendError } from './errors.js';

/** Bull Board's mount point; its UI is the one page that needs a looser CSP. */
export const BOARD_PATH = '/admin/queues';

/**
 * The API answers JSON only, so its CSP forbids everything. Bull Board's UI loads its scripts from
 * itself (no inline or eval'd script: its inline `<script>` is JSON data), but sets inline styles and
 * pulls IBM Plex from Google Fonts, so only style-src and font-src are opened for it.
 * upgrade-insecure-requests is off: the server speaks plain HTTP (TLS, if any, ends at a proxy), and
 * upgrading the board's own asset requests to https would break it. For the same reason no
 * Strict-Transport-Security: HSTS belongs to the proxy that ends TLS, not to a plain-HTTP answer.
 */
export function securityHeaders(): RequestHandler {
  const api = helmet({
    strictTransportSecurity: false,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
    },
  });
  const board = helmet({
    strictTransportSecurity: false,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'", 'https://fonts.googleapis.com'],
        fontSrc: ["'self'", 'data:', 'https://fonts.gstatic.com'],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  return (req, res, next) => {
    // Bull Board and the dashboard are pages (scripts and styles from here); everything else is data.
    const onBoard = req.path === BOARD_PATH || req.path.startsWith(`${BOARD_PATH}/`) || req.path === '/' || req.path.startsWith('/dashboard/');
    (onBoard ? board : api)(req, res, next);
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses writes a browser sends on behalf of another site (CSRF): a page elsewhere can POST a
 * text/plain body to a token-less loopback server, or to one whose basic-auth login the browser
 * remembers for Bull Board. Browsers say where a request comes from (Sec-Fetch-Site; Origin in older
 * ones); the CLI, curl and servers send neither and pass. Sec-Fetch-Site is trusted first because a
 * proxy that rewrites Host would make a same-origin Origin look foreign.
 */
export function refuseCrossSiteWrites(): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const site = req.get('sec-fetch-site');
    const origin = req.get('origin');
    const foreign = site !== undefined ? site !== 'same-origin' && site !== 'none' : origin !== undefined && !sameHost(origin, req.get('x-forwarded-host') ?? req.get('host'));
    if (foreign) {
      sendError(res, 403, 'cross_site', 'writes from pages of another site are refused; call the API from a script or from this server\'s own pages');
      return;
    }
    next();
  };
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false; // "null" (a sandboxed page, a file) or garbage
  }
}
