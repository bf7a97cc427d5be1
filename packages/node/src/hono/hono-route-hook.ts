import { recordError, stateOf } from '../server-span-state.js';

/**
 * Route names for Hono apps with no code in the app: the `Hono` class the app imports is replaced
 * by a subclass (hono-routes-instrumentation.ts) whose constructor wraps its router's `add`.
 *
 * What this relies on in Hono, all of it there since 4.0:
 * - the `Hono` export is a class (subclassed, as Sentry does);
 * - `app.router`, Hono's pluggable `Router` (`add(method, path, handler)`), receives every route
 *   with its full path (mount path and `basePath` merged in), and sub-apps mounted with
 *   `app.route()` and `basePath()` clones add to the same router object;
 * - the handler Hono stores is `[fn, route]`, and `fn(c, next)` is what it calls (the shape
 *   `hono/route`'s `matchedRoutes` reads too);
 * - `@hono/node-server` passes the Node request as `c.env.incoming`.
 *
 * Each route's handler is wrapped once, when it is added: when it runs, it names the span after its
 * path (the last route to run wins, as Hono's `routePath(c)` after the request) and records the
 * exception it throws. Middleware (`app.use()`: method `ALL`, a path ending in `*`) is not wrapped,
 * so `app.use('*')` never becomes the route and a 404 keeps the bare method.
 */
export function subclassHono<C extends HonoClass>(Original: C): C {
  if ((Original as Marked)[HOOKED] === true) return Original;
  const Hono = class Hono extends Original {
    // biome-ignore lint/suspicious/noExplicitAny: a mixin's constructor (TS2545)
    constructor(...args: any[]) {
      super(...args);
      try {
        hookRouter((this as { router?: unknown }).router);
      } catch {
        // Naming spans must never keep an app from being built.
      }
    }
  };
  (Hono as Marked)[HOOKED] = true;
  return Hono;
}

/**
 * The module's exports with `Hono` replaced by the subclass: in place where the binding is
 * writable (an ES module namespace under import-in-the-middle, or Hono's CommonJS build since
 * 4.12), else as a copy of the exports (the getters of older CommonJS builds).
 */
export function withHonoSubclass<E extends object>(exports: E): E {
  const original = (exports as { Hono?: unknown }).Hono;
  if (typeof original !== 'function') return exports;
  const Hono = subclassHono(original as HonoClass);
  const descriptor = Object.getOwnPropertyDescriptor(exports, 'Hono');
  if (descriptor?.writable === true || descriptor?.set !== undefined) {
    (exports as { Hono: unknown }).Hono = Hono;
    return exports;
  }
  return Object.defineProperties(Object.create(Object.getPrototypeOf(exports)), {
    ...Object.getOwnPropertyDescriptors(exports),
    Hono: { value: Hono, enumerable: true, writable: true, configurable: true },
  }) as E;
}

// biome-ignore lint/suspicious/noExplicitAny: the constructor of any Hono version
type HonoClass = new (...args: any[]) => object;
type Marked = { [HOOKED]?: true };
type Handler = (c: HonoContext, next: unknown) => unknown;
interface HonoContext {
  env?: { incoming?: object } | undefined;
  /** Set by Hono's own error handling (an app's or a sub-app's `onError`) when it caught one. */
  error?: unknown;
}
interface RouterLike {
  add(method: string, path: string, handler: unknown): unknown;
  [HOOKED]?: true;
}

const HOOKED = Symbol.for('clicktrace.node.honoRoutes');

/** Wraps `router.add`, once per router object (a basePath clone shares its app's router). */
function hookRouter(router: unknown): void {
  const target = router as RouterLike | undefined;
  if (typeof target?.add !== 'function' || target[HOOKED] === true) return;
  const add = target.add;
  target.add = function add_(this: RouterLike, method, path, handler) {
    return add.call(this, method, path, routeHandler(method, path, handler));
  };
  target[HOOKED] = true;
}

/**
 * The Hono Context that first handled each request: only its app names the request. An app that
 * hands the request on to another app's `fetch` (`mount()`, or a handler calling `other.fetch(req,
 * c.env)`) passes the same Node request, and the inner app's route lacks the outer prefix: a
 * wrong `http.route` is worse than none.
 */
const firstContext = new WeakMap<object, HonoContext>();

/** Whether `c` is the first Hono Context that handled `incoming` (and records it if none was). */
function isFirstContext(incoming: object | undefined, c: HonoContext): boolean {
  if (typeof incoming !== 'object' || incoming === null) return true;
  const first = firstContext.get(incoming);
  if (first === undefined) firstContext.set(incoming, c);
  return first === undefined || first === c;
}

/**
 * Hono's `[fn, route]`, with `fn` wrapped if it is a route's (or, for `*` middleware, only to
 * note which Context came first); anything else as it came.
 */
function routeHandler(method: string, path: string, handler: unknown): unknown {
  if (!Array.isArray(handler) || typeof handler[0] !== 'function' || typeof path !== 'string') return handler;
  const fn = handler[0] as Handler;
  if (method === 'ALL' && path.endsWith('*')) {
    // Middleware never names the request, but what it throws is recorded.
    const noted: Handler = function clicktraceMiddleware(c, next) {
      const incoming = c?.env?.incoming;
      if (!isFirstContext(incoming, c) || stateOf(incoming) === undefined) return fn(c, next);
      return settle(c, incoming, () => fn(c, next));
    };
    return [noted, ...handler.slice(1)];
  }
  const wrapped: Handler = function clicktraceRoute(c, next) {
    const incoming = c?.env?.incoming;
    const state = stateOf(incoming);
    if (state === undefined || !isFirstContext(incoming, c)) return fn(c, next);
    state.route = path;
    return settle(c, incoming, () => fn(c, next));
  };
  return [wrapped, ...handler.slice(1)];
}

/**
 * Runs a handler and records the error it threw, or the one Hono's own error handling caught
 * inside it (`c.error`: a sub-app mounted with its own `onError` never lets it out), then lets
 * Hono go on exactly as it would have. recordError keeps each exception once.
 */
function settle(c: HonoContext, incoming: object | undefined, run: () => unknown): unknown {
  try {
    const result = run();
    if (!(result instanceof Promise)) {
      caught(c, incoming);
      return result;
    }
    return result.then(
      (value) => {
        caught(c, incoming);
        return value;
      },
      (error) => failed(incoming, error),
    );
  } catch (error) {
    return failed(incoming, error);
  }
}

function caught(c: HonoContext, incoming: object | undefined): void {
  if (c?.error !== undefined) recordError(incoming, c.error);
}

/** Records what a handler threw, then lets Hono handle it as it would have. */
function failed(incoming: object | undefined, error: unknown): never {
  recordError(incoming, error);
  throw error;
}
