import { type Context, type ContextManager, diag, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { envelopeOf } from './worker-protocol.js';
import { ZONE_CONTEXT_KEY } from './zone-context-manager.js';
import { patchZoneRunTask } from './zone-run-task-patch.js';

/** The global scope of a dedicated worker, as far as receiving messages goes. */
type MessageScope = EventTarget & { onmessage: ((event: MessageEvent) => unknown) | null };
type MessageHandler = (this: unknown, event: MessageEvent) => unknown;

/**
 * Unwraps the page's envelopes (worker-protocol.ts) in a dedicated worker and runs the worker's
 * message handlers in the context the envelope carries:
 *
 * - one capture listener on the worker's global scope, added before the app's (through the
 *   browser's own addEventListener, as zone.js saved it): at the target, capture listeners run
 *   before the others, so every handler added later, and every non-capture one whenever it was
 *   added, sees `event.data` as the page posted it (an own property of the event shadows the
 *   envelope);
 * - listeners added with `addEventListener` are zone.js tasks: each runs in a fork of its zone
 *   that holds the context (the page's `patchZoneRunTask`), so its timers, promises and fetches
 *   carry it on;
 * - `self.onmessage`, which zone.js does not patch in a worker, is wrapped through an accessor
 *   on the global scope that runs it in the context (`contextManager.with`: a zone fork too);
 *   reading `self.onmessage` still gives the app's own function.
 *
 * Returns the function that stops running handlers in the context. The unwrapping stays: a page
 * that saw the worker's hello goes on wrapping its messages.
 */
export function receiveHandOffs(scope: MessageScope, contextManager: ContextManager): () => void {
  const contexts = new WeakMap<object, Context>();
  let enabled = true;

  function unwrap(event: Event): void {
    try {
      const envelope = envelopeOf((event as MessageEvent).data);
      if (!envelope) return;
      Object.defineProperty(event, 'data', { value: envelope.data, configurable: true, enumerable: true });
      contexts.set(event, propagation.extract(ROOT_CONTEXT, envelope.__clicktrace_context));
    } catch (error) {
      diag.error('clicktrace: could not read the context of a message from the page', error);
    }
  }
  const add =
    (scope as unknown as Record<string, EventTarget['addEventListener']>)[
      Zone.__symbol__('addEventListener')
    ] ?? scope.addEventListener;
  add.call(scope, 'message', unwrap, { capture: true });

  const unpatchZone = patchZoneRunTask((event, taskZone) => {
    const context = typeof event === 'object' && event !== null ? contexts.get(event) : undefined;
    return (
      context && taskZone.fork({ name: 'clicktrace:message', properties: { [ZONE_CONTEXT_KEY]: context } })
    );
  });

  // The accessor of DedicatedWorkerGlobalScope.prototype, shadowed by one on the scope itself.
  const native = findAccessor(scope, 'onmessage');
  let handler: MessageHandler | null = null;
  const inContext = function onmessage(this: unknown, event: MessageEvent): unknown {
    const context = enabled ? contexts.get(event) : undefined;
    const current = handler;
    if (!current) return undefined;
    return context
      ? contextManager.with(context, () => current.call(this, event))
      : current.call(this, event);
  };
  if (native?.get && native.set) {
    const { get, set } = native;
    handler = get.call(scope) as MessageHandler | null;
    Object.defineProperty(scope, 'onmessage', {
      configurable: true,
      enumerable: true,
      get: () => handler,
      set(value: unknown) {
        handler = typeof value === 'function' ? (value as MessageHandler) : null;
        set.call(scope, handler ? inContext : value);
      },
    });
    if (handler) set.call(scope, inContext);
  }

  return function stopReceivingHandOffs() {
    enabled = false;
    unpatchZone();
  };
}

function findAccessor(target: object, name: string): PropertyDescriptor | undefined {
  for (let object: object | null = target; object; object = Object.getPrototypeOf(object)) {
    const descriptor = Object.getOwnPropertyDescriptor(object, name);
    if (descriptor) return descriptor;
  }
  return undefined;
}
