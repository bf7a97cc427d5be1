/** Options of `startTracing`. */
export interface WebTracingOptions {
  /** `service.name` of every span: the name of this front end, e.g. `shop-web`. Required. */
  serviceName: string;
  /**
   * OTLP/HTTP traces URL the spans are posted to (JSON). Relative URLs resolve against the page.
   * Default: `/v1/traces` on the page's origin.
   */
  endpoint?: string;
  /**
   * Origins, besides the page's own, whose requests carry `traceparent`: exact origin strings
   * (`'https://api.example.com'`) or RegExps tested against the request's origin
   * (`/\.example\.com$/`). Requests anywhere else never get trace headers.
   */
  propagateTo?: ReadonlyArray<string | RegExp>;
  /**
   * Export interactions that started no work: a click whose listeners (and the timers, promises
   * and requests they started) made no span. Default: `false`, such clicks are dropped, so a
   * trace backend holds the clicks that did something.
   */
  keepEmptyInteractions?: boolean;
}

/** The running tracing of a page, as returned by `startTracing`. */
export interface WebTracing {
  /**
   * Exports every finished span now. With `idle`, it first waits, up to that many milliseconds,
   * until no interaction is open, so a click that is still at work is exported with its span.
   * Never rejects: export errors go to `diag`.
   */
  flush(options?: FlushOptions): Promise<void>;
  /** Stops listening and patching, exports what is left, and unregisters from the OpenTelemetry API. */
  shutdown(): Promise<void>;
}

/** Options of `WebTracing.flush`. */
export interface FlushOptions {
  /** Wait up to this many milliseconds for the open interactions to end before exporting. */
  idle?: number;
}
