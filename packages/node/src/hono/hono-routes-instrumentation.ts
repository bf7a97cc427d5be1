import { diag } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { VERSION } from '../version.js';
import { withHonoSubclass } from './hono-route-hook.js';

export const HONO_ROUTES_INSTRUMENTATION_NAME = '@clicktrace/node/hono';

/**
 * Names the server spans of Hono apps after their routes, with no code in the app: when the app
 * loads `hono` (through require-in-the-middle, or import-in-the-middle's hook for an ES module
 * app, see esm-library-hook.ts), its `Hono` export is replaced by a subclass that watches the
 * routes added to each app's router (hono-route-hook.ts). It makes no span of its own.
 *
 * Created only when the app can resolve `hono` (library-instrumentations.ts), for Hono 4.
 * `honoRoutes()` in the app as well is harmless: both record the same route, and an exception once.
 */
export class HonoRoutesInstrumentation extends InstrumentationBase {
  constructor() {
    super(HONO_ROUTES_INSTRUMENTATION_NAME, VERSION, {});
  }

  protected init(): InstrumentationNodeModuleDefinition[] {
    return [
      new InstrumentationNodeModuleDefinition(
        'hono',
        ['>=4.0.0 <5'],
        (exports: object) => {
          // InstrumentationBase lets a patch's exception out into the app's require/import.
          try {
            return withHonoSubclass(exports);
          } catch (error) {
            diag.warn('@clicktrace/node: could not hook hono; its spans are named by method only', error);
            return exports;
          }
        },
        // The subclass stays: apps built with it keep naming spans only while tracing is on.
        (exports: object) => exports,
      ),
    ];
  }
}
