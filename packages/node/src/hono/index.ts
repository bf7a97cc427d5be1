/**
 * @module
 * Route names for Hono apps on `@hono/node-server` that clicktrace's own hook cannot reach (most
 * need no code: `Hono` is subclassed as the app loads it).
 *
 * ```ts
 * import { honoRoutes } from '@clicktrace/node/hono';
 * app.use(honoRoutes());
 * ```
 */

export { type HonoContextLike, honoRoutes } from './hono-routes.js';
