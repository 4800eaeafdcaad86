import type { RequestHandler } from 'express';
import helmet from 'helmet';

/** Bull Board's mount point; its UI is the one page that needs a looser CSP. */
export const BOARD_PATH = '/admin/queues';

/**
 * The API answers JSON only, so its CSP forbids everything. Bull Board's UI loads its scripts from
 * itself (no inline or eval'd script: its inline `<script>` is JSON data), but sets inline styles and
 * pulls IBM Plex from Google Fonts, so only style-src and font-src are opened for it.
 * upgrade-insecure-requests is off: the server speaks plain HTTP (TLS, if any, ends at a proxy), and
 * upgrading the board's own asset requests to https would break it.
 */
export function securityHeaders(): RequestHandler {
  const api = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
    },
  });
  const board = helmet({
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
