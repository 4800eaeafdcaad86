import type { Router } from 'express';
import { sendError } from './errors.js';

/** Express 5's Route keeps the methods it serves; its published types do not say so. */
type RouteWithMethods = { path: string; methods?: Record<string, boolean> };

/**
 * Answers a method a path of `router` does not serve with 405 and the `Allow` header, as HTTP asks,
 * instead of the 404 that says the path is not there. Call it once every route is defined.
 */
export function refuseOtherMethods(router: Router): void {
  const allowed = new Map<string, Set<string>>();
  for (const layer of router.stack) {
    const route = layer.route as RouteWithMethods | undefined;
    if (!route) continue;
    const methods = allowed.get(route.path) ?? new Set<string>();
    for (const [method, served] of Object.entries(route.methods ?? {})) if (served && method !== '_all') methods.add(method.toUpperCase());
    allowed.set(route.path, methods);
  }
  for (const [path, methods] of allowed) {
    if (methods.has('GET')) methods.add('HEAD');
    const allow = [...methods].sort().join(', ');
    router.all(path, (req, res) => {
      res.set('Allow', allow);
      sendError(res, 405, 'method_not_allowed', `${req.method} is not served at ${req.originalUrl.split('?')[0]}; it takes ${allow}`);
    });
  }
}
