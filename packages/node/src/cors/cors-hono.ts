import { type CorsOptions, corsPolicy, varyWithOrigin } from './cors.js';

/** The parts of a Hono context the middleware uses (structural, so this package needs no hono types). */
interface HonoContextLike {
  req: { method: string; header(name: string): string | undefined };
  res: Response;
  header(name: string, value: string): void;
}

/**
 * Hono middleware: `app.use(corsHono({ origins }))`, before the routes. Answers preflights
 * itself (204), whether or not an OPTIONS route exists.
 */
export function corsHono(
  options: CorsOptions,
): (c: HonoContextLike, next: () => Promise<void>) => Promise<Response | undefined> {
  const decide = corsPolicy(options);
  return async function clicktraceCors(c, next) {
    const { preflight, headers } = decide({
      method: c.req.method,
      origin: c.req.header('origin'),
      requestMethod: c.req.header('access-control-request-method'),
    });
    const { vary: _vary, ...cors } = headers;
    if (preflight) return new Response(null, { status: 204, headers });
    // Set on the placeholder response: Hono copies them onto the one the route returns.
    for (const [name, value] of Object.entries(cors)) c.res.headers.set(name, value);
    await next();
    // Origin joins whatever Vary the route's own response set.
    c.header('vary', varyWithOrigin(c.res.headers.get('vary') ?? ''));
    return undefined;
  };
}
