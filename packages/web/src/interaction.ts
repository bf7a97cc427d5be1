import { type Context, diag, type HrTime, ROOT_CONTEXT, type Span, trace } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { ATTR_INTERACTION_CAPPED, ATTR_INTERACTION_END } from './interaction-attributes.js';
import {
  type CancelTimer,
  type InteractionEnd,
  type InteractionLifetime,
  nowMs,
} from './interaction-lifetime.js';
import { ZONE_CONTEXT_KEY } from './zone-context-manager.js';

/** What an interaction is made of: its root span and first event, and who it reports to. */
export interface InteractionOptions {
  span: Span;
  /** The event that started it. */
  event: Event;
  /** The element the span names (nearest interactive ancestor of the event's target). */
  element: Element | undefined;
  lifetime: InteractionLifetime;
  /** Called once, as it ends, before its span ends (the registry forgets it there). */
  onEnd(interaction: Interaction): void;
}

/** A zone.js task, whose callback `adopt` wraps. */
type MutableTask = Task & { callback: (...args: unknown[]) => unknown };

/**
 * One user interaction: its root span, the events that are part of it, the work it started and
 * its end. It owns all of that state and every transition of it:
 *
 * - tasks: the macrotasks and microtasks scheduled in its zones (`zoneFor`: a fork of the zone
 *   each listener's task runs in, counting tasks scheduled in it or its children, and carrying
 *   the interaction's context), plus contextless timers the registry hands it (`adopt`). Event
 *   tasks (listeners added during the click) do not count: they may never fire. A periodic task
 *   (setInterval) counts until its first run. zone.js's own `onHasTask` counts a periodic task
 *   until it is cancelled, so the zone keeps its own set of pending tasks instead;
 * - child spans (`childStarted` / `childEnded`: any span of its trace, counted by the span
 *   processor): a fetch whose promise zone.js never sees (native await, a CDN script) still keeps
 *   it open;
 * - its timers (dispatch over, quiet period, cap) and its end, when the lifetime's policy says
 *   its work is over (interaction-lifetime.ts), or when the page goes away (`end`).
 */
export class Interaction {
  readonly span: Span;
  /** `trace.setSpan(ROOT_CONTEXT, span)`: what the interaction's listeners and tasks run in. */
  readonly context: Context;
  readonly traceId: string;
  /** The element the span names (nearest interactive ancestor of the first event's target). */
  readonly element: Element | undefined;
  /** Epoch milliseconds when the first event was seen. */
  readonly startTime: number;
  readonly #events: Event[];
  readonly #lifetime: InteractionLifetime;
  readonly #onEnd: (interaction: Interaction) => void;
  readonly #cancelCap: CancelTimer;
  /** The first event's dispatch (and anything the browser ran in the same task) is over. */
  #dispatchOver = false;
  /** Tasks (macro and micro, not event tasks) counted as its work, not yet run. */
  readonly #pendingTasks = new Set<Task>();
  /** Child spans started and not yet ended. */
  readonly #openSpans = new Set<object>();
  /** Child spans ever started: an interaction with none is dropped unless `keepEmptyInteractions`. */
  #childSpans = 0;
  /** Child spans ended so far: a task that ended one is an instrumentation's bookkeeping. */
  #spansEnded = 0;
  /** Epoch milliseconds when the last known work (listener, task, child span) ended. */
  #lastWorkEnd: number;
  /** The end time of the child span that ended last, when that is the last work. */
  #lastSpanEnd: HrTime | undefined;
  /** Bumped by every new piece of work, so a quiet-period check knows whether it stayed idle. */
  #activity = 0;
  #quietCheckArmed = false;
  #ended = false;
  /** Its zone per zone a listener task of it ran in (usually one), made as its listeners first run. */
  #zones: Map<Zone, Zone> | undefined;

  constructor({ span, event, element, lifetime, onEnd }: InteractionOptions) {
    this.span = span;
    this.context = trace.setSpan(ROOT_CONTEXT, span);
    this.traceId = span.spanContext().traceId;
    this.element = element;
    this.startTime = nowMs();
    this.#lastWorkEnd = this.startTime;
    this.#events = [event];
    this.#lifetime = lifetime;
    this.#onEnd = onEnd;
    lifetime.afterDispatch(() => {
      this.#dispatchOver = true;
      this.#maybeIdle();
    });
    this.#cancelCap = lifetime.atCap(() => this.#finish(nowMs(), 'capped'));
  }

  /** The event that started it, then any event that joined it (nested click, the submit of a click). */
  get events(): readonly Event[] {
    return this.#events;
  }

  get dispatchOver(): boolean {
    return this.#dispatchOver;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Whether it started any child span: one that did not is dropped unless `keepEmptyInteractions`. */
  get startedWork(): boolean {
    return this.#childSpans > 0;
  }

  /** Makes `event` part of it; false when it already was. */
  join(event: Event): boolean {
    if (this.#events.includes(event)) return false;
    this.#events.push(event);
    return true;
  }

  /** Whether one of its events is being dispatched right now. */
  isDispatching(): boolean {
    // eventPhase returns to NONE as soon as dispatch is over.
    return this.#events.some((event) => event.eventPhase !== Event.NONE);
  }

  /**
   * The zone a listener task of `taskZone` runs in for this interaction, undefined once it ended:
   * one fork of `taskZone` (so an Angular zone stays in the chain) that tracks its tasks and carries
   * its context, made once per task zone.
   */
  zoneFor(taskZone: Zone): Zone | undefined {
    if (this.#ended) return undefined;
    this.#zones ??= new Map();
    let zone = this.#zones.get(taskZone);
    if (!zone) {
      zone = taskZone.fork(this.#zoneSpec());
      this.#zones.set(taskZone, zone);
    }
    return zone;
  }

  /**
   * Counts a contextless macrotask as its work (the registry decides which: see
   * InteractionRegistry.adoptContextless), until it runs or is cancelled.
   */
  adopt(task: Task): void {
    if (this.#ended || this.#pendingTasks.has(task)) return;
    this.#taskScheduled(task);
    const mutable = task as MutableTask;
    const callback = mutable.callback;
    const interaction = this;
    mutable.callback = function adoptedTask(this: unknown, ...args: unknown[]) {
      try {
        return callback.apply(this, args);
      } finally {
        interaction.#pendingTasks.delete(task);
        interaction.#workDone();
      }
    };
  }

  /** From the span processor: a span of its trace started (not its own). */
  childStarted(span: object): void {
    if (this.#ended || span === this.span) return;
    this.#openSpans.add(span);
    this.#childSpans++;
    this.#activity++;
  }

  /** From the span processor: a span of its trace ended. */
  childEnded(span: object & { endTime: HrTime }): void {
    if (!this.#openSpans.delete(span)) return;
    this.#spansEnded++;
    if (this.#ended) return;
    const end = hrTimeToMilliseconds(span.endTime);
    if (end >= this.#lastWorkEnd) {
      this.#lastWorkEnd = end;
      // Kept exact: milliseconds as a float can land a nanosecond before the child's own end.
      this.#lastSpanEnd = span.endTime;
    }
    this.#maybeIdle();
  }

  /**
   * Ends it now, for `reason` (the page is hidden or left, or tracing shuts down): an interaction
   * still open when the page goes away would never be exported, and the spans of its requests
   * would point at a parent that never arrives. If its work was already over (it was waiting out
   * its quiet period) it ends as it would have, at its last work, as `idle`.
   */
  end(reason: Exclude<InteractionEnd, 'idle' | 'capped'>): void {
    if (this.#isIdle()) this.#finish(this.#lastWorkEnd, 'idle');
    else this.#finish(nowMs(), reason);
  }

  #zoneSpec(): ZoneSpec {
    const interaction = this;
    return {
      name: 'clicktrace:interaction',
      properties: { [ZONE_CONTEXT_KEY]: this.context },
      onScheduleTask(delegate, _current, target, task) {
        if (task.type !== 'eventTask') interaction.#taskScheduled(task);
        return delegate.scheduleTask(target, task);
      },
      onInvokeTask(delegate, _current, target, task, applyThis, applyArgs) {
        const spansEndedBefore = interaction.#spansEnded;
        try {
          return delegate.invokeTask(target, task, applyThis, applyArgs);
        } finally {
          // A one-shot task is done; a periodic one stops counting after its first run.
          interaction.#pendingTasks.delete(task);
          // A task that ended a child span is an instrumentation's bookkeeping (it may run well
          // after the work, e.g. a timer that waits for resource timing): the work ended when
          // that span says, already recorded, not when the task ran.
          if (interaction.#spansEnded === spansEndedBefore) interaction.#workDone();
          else interaction.#maybeIdle();
        }
      },
      onCancelTask(delegate, _current, target, task) {
        // zone.js calls this only for a task still scheduled or running (it is 'canceling' here).
        try {
          return delegate.cancelTask(target, task);
        } finally {
          if (interaction.#pendingTasks.delete(task)) interaction.#maybeIdle();
        }
      },
    };
  }

  #taskScheduled(task: Task): void {
    if (this.#ended) return;
    this.#pendingTasks.add(task);
    this.#activity++;
  }

  /** A listener or task of it ran to completion just now. */
  #workDone(): void {
    if (this.#ended) return;
    this.#lastWorkEnd = Math.max(this.#lastWorkEnd, nowMs());
    this.#maybeIdle();
  }

  #isIdle(): boolean {
    // An adopted timer that was cancelled (clearTimeout) no longer counts.
    for (const task of this.#pendingTasks) if (task.state === 'notScheduled') this.#pendingTasks.delete(task);
    return this.#dispatchOver && this.#pendingTasks.size === 0 && this.#openSpans.size === 0;
  }

  #maybeIdle(): void {
    if (this.#ended || this.#quietCheckArmed || !this.#isIdle()) return;
    this.#quietCheckArmed = true;
    const activity = this.#activity;
    this.#lifetime.afterQuietPeriod(() => {
      this.#quietCheckArmed = false;
      if (this.#ended || !this.#isIdle()) return;
      // Work came and went since the check was armed: give its continuations a quiet period too.
      if (this.#activity !== activity) this.#maybeIdle();
      else this.#finish(this.#lastWorkEnd, 'idle');
    });
  }

  #finish(endTime: number, reason: InteractionEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#cancelCap();
    this.#pendingTasks.clear();
    try {
      this.#onEnd(this);
      if (reason === 'capped') this.span.setAttribute(ATTR_INTERACTION_CAPPED, true);
      this.span.setAttribute(ATTR_INTERACTION_END, reason);
      const lastSpanEnd = this.#lastSpanEnd;
      const exact = reason === 'idle' && lastSpanEnd && endTime === hrTimeToMilliseconds(lastSpanEnd);
      this.span.end(exact ? lastSpanEnd : Math.max(endTime, this.startTime));
    } catch (error) {
      diag.error('clicktrace: could not end the interaction span', error);
    }
  }
}
