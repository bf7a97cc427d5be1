import { type ContextManager, diag, type HrTime, ROOT_CONTEXT, type Span } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { ATTR_INTERACTION_CAPPED, ATTR_INTERACTION_END } from './interaction-attributes.js';
import type { Interaction, InteractionRegistry } from './interaction-registry.js';
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

/**
 * Decides when an interaction span ends: when the work it started is over, not when its listeners
 * return. Modelled on Angular's NgZone stability:
 *
 * - Each interaction gets a zone, forked from the zone of each listener's task, whose ZoneSpec
 *   counts the macrotasks and microtasks scheduled in it or in its child zones (the
 *   ZoneContextManager forks one per `context.with`). Event tasks (listeners added during the
 *   click) do not count: they may never fire. A periodic task (setInterval) counts until its first
 *   run. zone.js's own `onHasTask` counts a periodic task until it is cancelled, so the spec keeps
 *   its own set of pending tasks in `onScheduleTask` / `onInvokeTask` / `onCancelTask` instead.
 * - The span processor (interaction-span-processor.ts) counts the interaction's child spans that
 *   are still open: a fetch whose promise zone.js never sees (native await, a CDN script) still
 *   keeps the interaction open.
 * - It ends once its first event's dispatch is over, no counted task is pending and no child span
 *   is open, and it stayed so for INTERACTION_QUIET_MS: a native-`await` continuation that runs
 *   right after a response arrives still finds it open (and the interaction scope hands it the
 *   interaction's context). Its end time is when the last work ended, not the check.
 * - Timers zone.js schedules with no context at all (after a native `await`, without the Vite
 *   plugin) while exactly one interaction is open are counted as its work too, when short
 *   (CONTEXTLESS_TIMER_MAX_MS): the interaction scope's rule, applied to keeping it open.
 * - Cap: INTERACTION_CAP_MS after the event it ends anyway, with `clicktrace.interaction.capped`.
 */
export class InteractionLifetime {
  readonly #registry: InteractionRegistry;
  readonly #zoneContextManager: ContextManager;
  readonly #capMs: number;
  readonly #zones = new WeakMap<Interaction, { spec: ZoneSpec; byTaskZone: Map<Zone, Zone> }>();
  readonly #bySpan = new WeakMap<object, Interaction>();
  readonly #childOf = new WeakMap<object, Interaction>();
  readonly #timers = new Map<Interaction, ReturnType<typeof setTimeout>>();
  /** Bumped by every new piece of work, so an idle check knows whether the interaction stayed idle. */
  readonly #activity = new WeakMap<Interaction, number>();
  readonly #checking = new WeakSet<Interaction>();
  /** Child spans ended so far, per interaction. */
  readonly #spansEnded = new WeakMap<Interaction, number>();
  /** The end time of the child span that ended last, when that is the interaction's last work. */
  readonly #lastSpanEnd = new WeakMap<Interaction, HrTime>();
  /** True while the SDK itself schedules timers: they are never an interaction's work. */
  #bookkeeping = false;

  constructor(registry: InteractionRegistry, zoneContextManager: ContextManager, capMs = INTERACTION_CAP_MS) {
    this.#registry = registry;
    this.#zoneContextManager = zoneContextManager;
    this.#capMs = capMs;
  }

  /** Registers a new interaction and starts watching it. */
  begin(
    span: Span,
    context: Interaction['context'],
    event: Event,
    element: Element | undefined,
  ): Interaction {
    const startTime = nowMs();
    const interaction: Interaction = {
      span,
      context,
      traceId: span.spanContext().traceId,
      events: [event],
      element,
      startTime,
      dispatchOver: false,
      pendingTasks: new Set(),
      openSpans: 0,
      childSpans: 0,
      lastWorkEnd: startTime,
      ended: false,
    };
    this.#registry.add(interaction);
    this.#bySpan.set(span, interaction);
    this.#activity.set(interaction, 0);
    // From the root zone: our bookkeeping timers carry no context, are counted by no interaction
    // and wake no framework zone (Angular's change detection).
    this.bookkeeping(() => {
      // Dispatch is synchronous, and the browser runs an event's activation behaviour (a submit
      // button's submit) in the same task: by this macrotask all of it has run.
      setTimeout(() => {
        interaction.dispatchOver = true;
        this.#maybeIdle(interaction);
      }, 0);
      this.#timers.set(
        interaction,
        setTimeout(() => this.#end(interaction, nowMs(), 'capped'), this.#capMs),
      );
    });
    return interaction;
  }

  /**
   * The zone a listener task of `taskZone` runs in for `interaction`: a fork of `taskZone` that
   * tracks the interaction's tasks (so an Angular zone stays in the chain), with the
   * ZoneContextManager's context-carrying child inside it (so its private key stays private).
   */
  zoneFor(interaction: Interaction, taskZone: Zone): Zone {
    let zones = this.#zones.get(interaction);
    if (!zones) {
      zones = { spec: this.#trackingSpec(interaction), byTaskZone: new Map() };
      this.#zones.set(interaction, zones);
    }
    const known = zones.byTaskZone.get(taskZone);
    if (known) return known;
    const tracking = taskZone.fork(zones.spec);
    const zone: Zone = tracking.run(() =>
      this.#zoneContextManager.with(interaction.context, (): Zone => Zone.current),
    );
    zones.byTaskZone.set(taskZone, zone);
    return zone;
  }

  /**
   * Runs the SDK's own work (its timers, the batch processor's) in the root zone, where it carries
   * no context, is counted by no interaction and wakes no framework zone (Angular's change detection).
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
   * From the scheduleTask patch: a macrotask was scheduled. A short one-shot timer scheduled with
   * no context while exactly one interaction is open is counted as that interaction's work.
   */
  adoptContextless(task: Task): void {
    // Every macrotask of the page passes here: the common case (no single open interaction) first.
    const interaction = this.#registry.only();
    if (!interaction || interaction.ended || this.#bookkeeping) return;
    const data = task.data as { isPeriodic?: boolean; delay?: number } | undefined;
    if (data?.isPeriodic || (data?.delay ?? 0) > CONTEXTLESS_TIMER_MAX_MS) return;
    if (this.#zoneContextManager.active() !== ROOT_CONTEXT || interaction.pendingTasks.has(task)) return;
    interaction.pendingTasks.add(task);
    this.#bump(interaction);
    const mutable = task as Task & { callback: (...args: unknown[]) => unknown };
    const callback = mutable.callback;
    const lifetime = this;
    mutable.callback = function adoptedTask(this: unknown, ...args: unknown[]) {
      try {
        return callback.apply(this, args);
      } finally {
        interaction.pendingTasks.delete(task);
        lifetime.workDone(interaction);
      }
    };
  }

  /** A listener of the interaction ran to completion just now. */
  workDone(interaction: Interaction): void {
    if (interaction.ended) return;
    interaction.lastWorkEnd = Math.max(interaction.lastWorkEnd, nowMs());
    this.#maybeIdle(interaction);
  }

  /** From the span processor: a span started. Counts it when it belongs to an open interaction. */
  spanStarted(span: ReadableSpan | Span): void {
    if (this.#bySpan.has(span)) return;
    const interaction = this.#registry.ofTrace(span.spanContext().traceId);
    if (!interaction || interaction.ended) return;
    interaction.openSpans++;
    interaction.childSpans++;
    this.#bump(interaction);
    this.#childOf.set(span, interaction);
  }

  /**
   * From the span processor: a span ended. Returns false for an interaction span that must not be
   * exported (it started no child span and empty interactions are not kept).
   */
  spanEnded(span: ReadableSpan, keepEmpty: boolean): boolean {
    const own = this.#bySpan.get(span);
    if (own) return keepEmpty || own.childSpans > 0;
    const interaction = this.#childOf.get(span);
    if (!interaction) return true;
    this.#childOf.delete(span);
    interaction.openSpans = Math.max(0, interaction.openSpans - 1);
    this.#spansEnded.set(interaction, (this.#spansEnded.get(interaction) ?? 0) + 1);
    if (!interaction.ended) {
      const end = hrTimeToMilliseconds(span.endTime);
      if (end >= interaction.lastWorkEnd) {
        interaction.lastWorkEnd = end;
        // Kept exact: milliseconds as a float can land a nanosecond before the child's own end.
        this.#lastSpanEnd.set(interaction, span.endTime);
      }
      this.#maybeIdle(interaction);
    }
    return true;
  }

  /**
   * Ends every open interaction now, for `reason` (the page is hidden or left, or tracing shuts
   * down): an interaction still open when the page goes away would never be exported, and the
   * spans of its requests would point at a parent that never arrives. One whose work was already
   * over (waiting out its quiet period) ends as it would have, at its last work, as `idle`.
   */
  endAll(reason: Exclude<InteractionEnd, 'idle' | 'capped'>): void {
    for (const interaction of this.#registry.open()) {
      if (this.#isIdle(interaction)) this.#end(interaction, interaction.lastWorkEnd, 'idle');
      else this.#end(interaction, nowMs(), reason);
    }
  }

  #trackingSpec(interaction: Interaction): ZoneSpec {
    const lifetime = this;
    return {
      name: 'clicktrace:interaction',
      onScheduleTask(delegate, _current, target, task) {
        if (task.type !== 'eventTask' && !interaction.ended) {
          interaction.pendingTasks.add(task);
          lifetime.#bump(interaction);
        }
        return delegate.scheduleTask(target, task);
      },
      onInvokeTask(delegate, _current, target, task, applyThis, applyArgs) {
        const spansEndedBefore = lifetime.#spansEnded.get(interaction);
        try {
          return delegate.invokeTask(target, task, applyThis, applyArgs);
        } finally {
          // A one-shot task is done; a periodic one stops counting after its first run.
          interaction.pendingTasks.delete(task);
          // A task that ended a child span is an instrumentation's bookkeeping (it may run well
          // after the work, e.g. a timer that waits for resource timing): the work ended when
          // that span says, already recorded, not when the task ran.
          if (lifetime.#spansEnded.get(interaction) === spansEndedBefore) lifetime.workDone(interaction);
          else lifetime.#maybeIdle(interaction);
        }
      },
      onCancelTask(delegate, _current, target, task) {
        try {
          return delegate.cancelTask(target, task);
        } finally {
          if (interaction.pendingTasks.delete(task)) lifetime.#maybeIdle(interaction);
        }
      },
    };
  }

  #bump(interaction: Interaction): void {
    this.#activity.set(interaction, (this.#activity.get(interaction) ?? 0) + 1);
  }

  #isIdle(interaction: Interaction): boolean {
    // An adopted timer that was cancelled (clearTimeout) no longer counts.
    for (const task of interaction.pendingTasks)
      if (task.state === 'notScheduled') interaction.pendingTasks.delete(task);
    return interaction.dispatchOver && interaction.pendingTasks.size === 0 && interaction.openSpans === 0;
  }

  #maybeIdle(interaction: Interaction): void {
    if (interaction.ended || this.#checking.has(interaction) || !this.#isIdle(interaction)) return;
    this.#checking.add(interaction);
    const activity = this.#activity.get(interaction);
    this.bookkeeping(() =>
      setTimeout(() => {
        this.#checking.delete(interaction);
        if (interaction.ended || !this.#isIdle(interaction)) return;
        // Work came and went since the check was queued: give its continuations a macrotask too.
        if (this.#activity.get(interaction) !== activity) this.#maybeIdle(interaction);
        else this.#end(interaction, interaction.lastWorkEnd, 'idle');
      }, INTERACTION_QUIET_MS),
    );
  }

  #end(interaction: Interaction, endTime: number, reason: InteractionEnd): void {
    if (interaction.ended) return;
    interaction.ended = true;
    clearTimeout(this.#timers.get(interaction));
    this.#timers.delete(interaction);
    this.#registry.remove(interaction);
    interaction.pendingTasks.clear();
    try {
      if (reason === 'capped') interaction.span.setAttribute(ATTR_INTERACTION_CAPPED, true);
      interaction.span.setAttribute(ATTR_INTERACTION_END, reason);
      const lastSpanEnd = this.#lastSpanEnd.get(interaction);
      const exact = reason === 'idle' && lastSpanEnd && endTime === hrTimeToMilliseconds(lastSpanEnd);
      interaction.span.end(exact ? lastSpanEnd : Math.max(endTime, interaction.startTime));
    } catch (error) {
      diag.error('clicktrace: could not end the interaction span', error);
    }
  }
}
