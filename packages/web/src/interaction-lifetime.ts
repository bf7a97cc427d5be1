import type { PageExit } from './open-request-spans.js';

/** Why an interaction span ended: the value of `clicktrace.interaction.end`. */
export type InteractionEnd = 'idle' | 'capped' | 'hidden' | PageExit | 'shutdown';

/** An interaction still busy this long after its event is ended anyway, marked as capped. */
export const INTERACTION_CAP_MS = 10_000;

/**
 * How long an interaction must stay idle before it ends. One macrotask is not enough: between an
 * awaited response's headers and the app's next step (reading the body, the next request) the
 * browser may run tasks of its own. The span still ends when its last work ended.
 */
export const INTERACTION_QUIET_MS = 50;

/**
 * The longest contextless timer counted as the one open interaction's work: `await sleep(…)`
 * steps are short, while a poller's timers (seconds apart) would hold every click open until the cap.
 */
export const CONTEXTLESS_TIMER_MAX_MS = 1_000;

/** Epoch milliseconds on the clock the SDK stamps spans with. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Cancels a timer armed by the lifetime. */
export type CancelTimer = () => void;

/**
 * When an interaction's work is over: the quiet-period policy, modelled on Angular's NgZone
 * stability. Each Interaction (interaction.ts) keeps its own pending tasks and open child spans;
 * this says what counts as its work and how long it must stay idle:
 *
 * - It ends once its first event's dispatch is over, no counted task is pending and no child span
 *   is open, and it stayed so for INTERACTION_QUIET_MS: a native-`await` continuation that runs
 *   right after a response arrives still finds it open (and the interaction scope hands it the
 *   interaction's context). Its end time is when the last work ended, not the check.
 * - Timers zone.js schedules with no context at all (after a native `await`, without the Vite
 *   plugin) while exactly one interaction is open are counted as its work too, when short
 *   (CONTEXTLESS_TIMER_MAX_MS): the interaction scope's rule, applied to keeping it open.
 * - The SDK's own work (`bookkeeping`) is never an interaction's work.
 * - Cap: INTERACTION_CAP_MS after the event it ends anyway, with `clicktrace.interaction.capped`.
 *
 * Its timers run on the browser's own `setTimeout`, as zone.js saved it before patching: they carry
 * no context, are counted by no interaction, wake no framework zone (Angular's change detection),
 * and cost no zone task.
 */
export class InteractionLifetime {
  readonly #setTimeout: SetTimeout;
  readonly #clearTimeout: ClearTimeout;
  /** True while the SDK itself runs work: the macrotasks it schedules are never an interaction's work. */
  #bookkeeping = false;

  constructor() {
    // As zone.js saved them before patching (the page's own, when zone.js left timers alone).
    const timers = globalThis as unknown as Record<string, SetTimeout & ClearTimeout>;
    this.#setTimeout = timers[Zone.__symbol__('setTimeout')] ?? globalThis.setTimeout;
    this.#clearTimeout = timers[Zone.__symbol__('clearTimeout')] ?? globalThis.clearTimeout;
  }

  /**
   * Calls `callback` once the event being dispatched now is over: dispatch is synchronous, and the
   * browser runs an event's activation behaviour (a submit button's submit, the click a label
   * forwards to its control) in the same task, so by the next macrotask all of it has run.
   */
  afterDispatch(callback: () => void): CancelTimer {
    return this.setTimer(callback, 0);
  }

  /** Calls `callback` once an interaction that went idle now has stayed so for the quiet period. */
  afterQuietPeriod(callback: () => void): CancelTimer {
    return this.setTimer(callback, INTERACTION_QUIET_MS);
  }

  /** Calls `callback` when an interaction that starts now reaches the cap. */
  atCap(callback: () => void): CancelTimer {
    return this.setTimer(callback, INTERACTION_CAP_MS);
  }

  /**
   * Whether a macrotask zone.js scheduled with no context, while exactly one interaction is open,
   * is that interaction's work: a short one-shot timer, not scheduled by the SDK itself.
   */
  countsContextless(task: Task): boolean {
    if (this.#bookkeeping) return false;
    const data = task.data as { isPeriodic?: boolean; delay?: number } | undefined;
    return !data?.isPeriodic && (data?.delay ?? 0) <= CONTEXTLESS_TIMER_MAX_MS;
  }

  /**
   * Runs the SDK's own work (the user's processors, flush, export) in the root
   * zone, where it carries no context, is counted by no interaction and wakes no framework zone.
   */
  bookkeeping<T>(work: () => T): T {
    const outer = this.#bookkeeping;
    this.#bookkeeping = true;
    try {
      return Zone.root.run(work);
    } finally {
      this.#bookkeeping = outer;
    }
  }

  /**
   * A timer on the browser's own setTimeout: for the interactions' timers and the SDK's own
   * (batching, export retries, `flush({ idle })`), none of which an interaction may count.
   */
  setTimer(callback: () => void, ms: number): CancelTimer {
    const id = this.#setTimeout.call(globalThis, callback, ms);
    return () => this.#clearTimeout.call(globalThis, id);
  }
}

type SetTimeout = (callback: () => void, ms: number) => number;
type ClearTimeout = (id: number) => void;
