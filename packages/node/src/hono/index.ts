/**
 * @module
 * Route names for Hono apps on `@hono/node-server`, which has no global hook to read them from.
 *
 * ```ts
 * import { honoRoutes } from '@clicktrace/node/hono';
 * app.use(honoRoutes());
 * ```
 */

export { type HonoContextLike, honoRoutes } from './hono-routes.js';
