import type { IncomingMessage } from 'node:http';
import { type CorsOptions, corsPolicy, corsRequestOf, varyWithOrigin } from './cors.js';

/** The parts of a Fastify reply the hook uses (structural, so this package needs no fastify types). */
interface FastifyReplyLike {
  code(statusCode: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  getHeader(name: string): unknown;
  send(): unknown;
}

type OnRequestHook = (request: { raw: IncomingMessage }, reply: FastifyReplyLike, done: () => void) => void;
type OnSendHook = (
  request: unknown,
  reply: FastifyReplyLike,
  payload: unknown,
  done: (error: null, payload: unknown) => void,
) => void;

/** The parts of a Fastify instance the plugin uses. */
interface FastifyInstanceLike {
  addHook(name: 'onRequest', hook: OnRequestHook): unknown;
  addHook(name: 'onSend', hook: OnSendHook): unknown;
}

/** A Fastify plugin function, marked to apply to the whole app (what `fastify-plugin` does). */
export type CorsFastifyPlugin = (instance: FastifyInstanceLike, options: unknown, done: () => void) => void;

/**
 * Fastify (4 and 5): `await app.register(corsFastify({ origins }))`. An `onRequest` hook on the
 * root instance, so it runs before routing and answers preflights for paths with no OPTIONS
 * route (or no route at all).
 */
export function corsFastify(options: CorsOptions): CorsFastifyPlugin {
  const decide = corsPolicy(options);
  const onRequest: OnRequestHook = (request, reply, done) => {
    const { preflight, headers } = decide(corsRequestOf(request.raw));
    const { vary: _addedOnSend, ...cors } = headers;
    for (const [name, value] of Object.entries(cors)) reply.header(name, value);
    if (preflight)
      reply.code(204).send(); // answered: `done` is not called, so routing stops here
    else done();
  };
  // Vary goes on last: `reply.header('vary', …)` in a route replaces the value rather than adding to it.
  const onSend: OnSendHook = (_request, reply, payload, done) => {
    reply.header('vary', varyWithOrigin(reply.getHeader('vary')));
    done(null, payload);
  };
  const plugin: CorsFastifyPlugin = (instance, _options, done) => {
    instance.addHook('onRequest', onRequest);
    instance.addHook('onSend', onSend);
    done();
  };
  // Fastify's own marker (https://fastify.dev/docs/latest/Reference/Encapsulation/): the hook
  // goes on the instance `register` was called on, not into a child context of its own.
  return Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: '@clicktrace/node cors',
  });
}
