import diagnosticsChannel from 'node:diagnostics_channel';
import { IncomingMessage } from 'node:http';
import { recordError, recordRoute, stateOf } from './server-span-state.js';

/**
 * Route templates from the frameworks, with no patching of their modules (so it works the same
 * for ES modules and CommonJS, and whatever the load order):
 *
 * - Express (4 and 5) assigns `req.route` when a route matches, while `req.baseUrl` is the
 *   mount path of the router it is in. An accessor on `IncomingMessage.prototype` (Express's
 *   request objects inherit from it) sees that assignment: `baseUrl + route.path`.
 * - Fastify (5, and 4.x since 4.24) publishes its `tracing:fastify.request.handler` channel
 *   around every routed handler, with `request.routeOptions.url` (prefix included) and, on
 *   failure, the error.
 * - Hono has no such hook: its `Hono` class is subclassed when the app loads it
 *   (hono/hono-routes-instrumentation.ts), or the app adds `honoRoutes()` from `@clicktrace/node/hono`.
 */
export function instrumentFrameworkRoutes(): void {
  const holder = globalThis as { [INSTALLED]?: true };
  if (holder[INSTALLED]) return;
  holder[INSTALLED] = true;
  defineExpressRouteAccessor();
  subscribeToFastify();
}

const INSTALLED = Symbol.for('clicktrace.node.frameworkRoutes');
const ROUTE = Symbol('clicktrace.node.route');

type WithRoute = IncomingMessage & { [ROUTE]?: unknown; baseUrl?: unknown };

function defineExpressRouteAccessor(): void {
  if (Object.getOwnPropertyDescriptor(IncomingMessage.prototype, 'route') !== undefined) return;
  Object.defineProperty(IncomingMessage.prototype, 'route', {
    configurable: true,
    enumerable: false,
    get(this: WithRoute) {
      const state = stateOf(this);
      return state === undefined ? this[ROUTE] : state.expressRoute;
    },
    set(this: WithRoute, route: unknown) {
      const state = stateOf(this);
      if (state === undefined) {
        this[ROUTE] = route; // an untraced request: an own property, as without us
        return;
      }
      state.expressRoute = route;
      const path = (route as { path?: unknown } | null | undefined)?.path;
      if (typeof path !== 'string') return;
      const base = typeof this.baseUrl === 'string' ? this.baseUrl : '';
      recordRoute(this, path === '/' && base !== '' ? base : base + path);
    },
  });
}

interface FastifyHandlerMessage {
  request?: { raw?: unknown; routeOptions?: { url?: unknown } };
  error?: unknown;
}

function subscribeToFastify(): void {
  // tracingChannel exists from Node 19.9 / 18.19; the package needs 20.19, so it is always there.
  const channel = diagnosticsChannel.tracingChannel<unknown, FastifyHandlerMessage>(
    'fastify.request.handler',
  );
  channel.subscribe({
    start(message) {
      const url = message.request?.routeOptions?.url;
      if (typeof url === 'string') recordRoute(message.request?.raw as object, url);
    },
    end() {},
    asyncStart() {},
    asyncEnd() {},
    error(message) {
      recordError(message.request?.raw as object, message.error);
    },
  });
}
