import { recordError, recordRoute } from '../server-span-state.js';

/** The parts of Hono's `Context` the middleware reads (typed here so hono is not a dependency). */
export interface HonoContextLike {
  req: { routePath?: string; routeIndex?: number; matchedRoutes?: { method: string; path: string }[] };
  env?: unknown;
  error?: unknown;
}

/**
 * Hono middleware that names the server span after the route (`GET /api/items/:id`) and
 * records an exception the handler threw. Most apps need no code: clicktrace subclasses `Hono`
 * when the app loads it (hono-routes-instrumentation.ts). This is the explicit option for apps that
 * hook cannot reach (an ES module app that imports `hono` before tracing starts, the `hono/tiny`
 * and `hono/quick` presets): `app.use(honoRoutes())`, first, on the app that is served. Beside the
 * hook it records the same route, and the exception once. Runs on `@hono/node-server` (it reads
 * the Node request from `c.env.incoming`); elsewhere it does nothing.
 */
export function honoRoutes(): (c: HonoContextLike, next: () => Promise<void>) => Promise<void> {
  return async function clicktraceRoutes(c, next) {
    await next();
    try {
      const incoming = (c.env as { incoming?: object } | undefined)?.incoming;
      if (incoming === undefined) return;
      if (c.error !== undefined) recordError(incoming, c.error);
      // After next(), routePath is that of the last handler that ran: the route's, or a
      // middleware's wildcard when nothing matched (then the span keeps the bare method).
      // The route of the handler that ran last (routePath's own index): a wildcard middleware's
      // when it answered or threw, the route's otherwise.
      const routes = c.req.matchedRoutes;
      const current = routes?.[c.req.routeIndex ?? routes.length - 1];
      const path = c.req.routePath;
      if (path === undefined || (current?.method === 'ALL' && path.endsWith('*'))) return;
      recordRoute(incoming, path);
    } catch {
      // Naming the span must never break the response.
    }
  };
}
