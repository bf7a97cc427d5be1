import { ROOT_CONTEXT, type Span } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Interaction } from '../src/interaction.js';
import {
  INTERACTION_CAP_MS,
  INTERACTION_QUIET_MS,
  InteractionLifetime,
} from '../src/interaction-lifetime.js';
import { InteractionRegistry } from '../src/interaction-registry.js';
import { InteractionSpanProcessor } from '../src/interaction-span-processor.js';
import { ZONE_CONTEXT_KEY } from '../src/zone-context-manager.js';
import { SyncContextManager } from './sync-context-manager.js';

// What the lifetime needs of zone.js, in Node: the SDK's timers fall back to the page's own
// setTimeout (here vitest's fake one), its bookkeeping runs in place.
vi.stubGlobal('Zone', {
  __symbol__: (name: string) => `__zone_symbol__${name}`,
  root: { run: <T>(work: () => T): T => work() },
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'], now: 1_700_000_000_000 });
});

afterEach(() => {
  vi.useRealTimers();
});

/** Interactions of a tracer provider whose spans go through the InteractionSpanProcessor. */
function setup({ keepEmptyInteractions = false } = {}) {
  const exporter = new InMemorySpanExporter();
  const lifetime = new InteractionLifetime();
  const zoneContextManager = new SyncContextManager();
  const interactions = new InteractionRegistry({ lifetime, zoneContextManager });
  const provider = new TracerProvider({
    spanProcessors: [
      new InteractionSpanProcessor(new SimpleSpanProcessor({ exporter }), {
        interactions,
        lifetime,
        keepEmptyInteractions,
      }),
    ],
  });
  const tracer = provider.getTracer('test');
  return {
    interactions,
    lifetime,
    zoneContextManager,
    click(event = new Event('click')): Interaction {
      return interactions.begin(tracer.startSpan('click', { root: true }, ROOT_CONTEXT), event, undefined);
    },
    child(interaction: Interaction): Span {
      return tracer.startSpan('GET', {}, interaction.context);
    },
    exported: (name = 'click') => exporter.getFinishedSpans().filter((span) => span.name === name),
  };
}

/** A zone.js task as the tracking zone's hooks see it. */
function task(type: TaskType, data?: TaskData): Task {
  const task = { type, state: 'scheduled', data, callback: () => {} } as unknown as Task;
  return task;
}

/** The hooks of the interaction's zone, through a stand-in for the zone its listener task ran in. */
function zoneOf(interaction: Interaction) {
  const taskZone = { fork: (spec: ZoneSpec) => ({ spec }) } as unknown as Zone;
  const zone = interaction.zoneFor(taskZone) as unknown as { spec: Required<ZoneSpec> };
  const delegate = {
    scheduleTask: (_target: Zone, scheduled: Task) => scheduled,
    invokeTask: () => undefined,
    cancelTask: (_target: Zone, cancelled: Task) => cancelled,
  } as unknown as ZoneDelegate;
  const current = zone as unknown as Zone;
  return {
    spec: zone.spec,
    schedule: (scheduled: Task) => zone.spec.onScheduleTask(delegate, current, current, scheduled),
    invoke: (invoked: Task) => zone.spec.onInvokeTask(delegate, current, current, invoked, undefined, []),
    cancel: (cancelled: Task) => zone.spec.onCancelTask(delegate, current, current, cancelled),
  };
}

describe('Interaction', () => {
  it('ends once it stayed idle for the quiet period, at the exact end of its last child span', async () => {
    const { click, child, exported } = setup();
    const interaction = click();
    const request = child(interaction);
    await vi.advanceTimersByTimeAsync(30);
    // Nanoseconds that milliseconds as a float cannot hold at this magnitude.
    request.end([1_700_000_000, 30_000_123]);
    await vi.advanceTimersByTimeAsync(INTERACTION_QUIET_MS - 1);
    expect(interaction.ended).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(interaction.ended).toBe(true);
    const [span] = exported();
    expect(span?.attributes['clicktrace.interaction.end']).toBe('idle');
    expect(span?.endTime).toEqual([1_700_000_000, 30_000_123]);
  });

  it('is dropped when it started no work, unless empty interactions are kept', async () => {
    const dropping = setup();
    dropping.click();
    const keeping = setup({ keepEmptyInteractions: true });
    const kept = keeping.click();
    await vi.advanceTimersByTimeAsync(INTERACTION_QUIET_MS + 1);
    expect(dropping.exported()).toEqual([]);
    expect(keeping.exported()).toHaveLength(1);
    expect(hrTimeToMilliseconds(keeping.exported()[0]?.endTime ?? [0, 0])).toBeCloseTo(kept.startTime, 0);
  });

  it('waits a new quiet period when work came and went during the last one', async () => {
    const { click, child } = setup();
    const interaction = click();
    await vi.advanceTimersByTimeAsync(20);
    child(interaction).end();
    await vi.advanceTimersByTimeAsync(INTERACTION_QUIET_MS);
    expect(interaction.ended).toBe(false);
    await vi.advanceTimersByTimeAsync(INTERACTION_QUIET_MS);
    expect(interaction.ended).toBe(true);
  });

  it('stays open while a task scheduled in its zone is pending, and a periodic one until its first run', async () => {
    const { click } = setup();
    const interaction = click();
    const zone = zoneOf(interaction);
    const timer = task('macroTask');
    const interval = task('macroTask', { isPeriodic: true });
    zone.schedule(timer);
    zone.schedule(interval);
    zone.schedule(task('eventTask'));
    await vi.advanceTimersByTimeAsync(INTERACTION_CAP_MS / 2);
    expect(interaction.ended).toBe(false);
    zone.invoke(timer);
    zone.invoke(interval);
    await vi.advanceTimersByTimeAsync(INTERACTION_QUIET_MS);
    expect(interaction.ended).toBe(true);
  });

  it('counts a periodic task (setInterval) as pending until its first run', async () => {
    const { click } = setup();
    const interaction = click();
    const zone = zoneOf(interaction);
    const interval = task('macroTask', { isPeriodic: true });
    zone.schedule(interval);
    await vi.advanceTimersByTimeAsync(INTERACTION_QUIET_MS * 3);
    expect(interaction.ended).toBe(false);
    zone.invoke(interval);
    await vi.advanceTimersByTimeAsync(INTERACTION_QUIET_MS);
    expect(interaction.ended).toBe(true);
  });

  it('stops counting a cancelled task', async () => {
    const { click } = setup();
    const interaction = click();
    const zone = zoneOf(interaction);
    const timer = task('macroTask');
    zone.schedule(timer);
    await vi.advanceTimersByTimeAsync(INTERACTION_QUIET_MS * 2);
    expect(interaction.ended).toBe(false);
    zone.cancel(timer);
    await vi.advanceTimersByTimeAsync(INTERACTION_QUIET_MS);
    expect(interaction.ended).toBe(true);
  });

  it('runs its listeners in one zone per task zone, which carries its context', () => {
    const { click } = setup();
    const interaction = click();
    const taskZone = { fork: (spec: ZoneSpec) => ({ spec }) } as unknown as Zone;
    const zone = interaction.zoneFor(taskZone) as unknown as { spec: ZoneSpec };
    expect(interaction.zoneFor(taskZone)).toBe(zone);
    expect(zone.spec.properties?.[ZONE_CONTEXT_KEY]).toBe(interaction.context);
  });

  it('is capped when still busy at the cap', async () => {
    const { click, child, exported } = setup();
    const interaction = click();
    child(interaction);
    await vi.advanceTimersByTimeAsync(INTERACTION_CAP_MS - 1);
    expect(interaction.ended).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(exported()[0]?.attributes).toMatchObject({
      'clicktrace.interaction.capped': true,
      'clicktrace.interaction.end': 'capped',
    });
    expect(interaction.zoneFor({} as Zone)).toBeUndefined();
  });

  it('is capped at its own cap, whatever became of the interactions started before it', async () => {
    const { click, child } = setup();
    const early = click();
    const earlyRequest = child(early);
    await vi.advanceTimersByTimeAsync(1_000);
    const late = click();
    child(late);
    earlyRequest.end();
    await vi.advanceTimersByTimeAsync(INTERACTION_QUIET_MS);
    expect(early.ended).toBe(true);
    // The early one's cap comes and goes: the late one is still within its own.
    await vi.advanceTimersByTimeAsync(INTERACTION_CAP_MS - 1_000 - INTERACTION_QUIET_MS);
    expect(late.ended).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000 - 1);
    expect(late.ended).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(late.ended).toBe(true);
    expect(late.span).toMatchObject({ attributes: { 'clicktrace.interaction.end': 'capped' } });
  });

  it('ended early: for the reason given while busy, as idle at its last work while waiting out its quiet period', async () => {
    const { click, child, exported } = setup();
    const busy = click();
    const request = child(busy);
    const waiting = click();
    const quick = child(waiting);
    await vi.advanceTimersByTimeAsync(10);
    quick.end();
    await vi.advanceTimersByTimeAsync(10);
    busy.end('hidden');
    waiting.end('hidden');
    request.end();
    const [first, second] = exported();
    expect(first?.attributes['clicktrace.interaction.end']).toBe('hidden');
    expect(hrTimeToMilliseconds(first?.endTime ?? [0, 0])).toBeCloseTo(busy.startTime + 20, 0);
    expect(second?.attributes['clicktrace.interaction.end']).toBe('idle');
    expect(second?.endTime).toEqual(exported('GET')[0]?.endTime);
  });
});

describe('InteractionRegistry', () => {
  it('finds an open interaction by event, trace and dispatch, and forgets it as it ends', () => {
    const { interactions, click } = setup();
    const event = new Event('click');
    const interaction = click(event);
    const joined = new Event('submit');
    interactions.join(joined, interaction);
    expect(interactions.ofEvent(event)).toBe(interaction);
    expect(interactions.ofEvent(joined)).toBe(interaction);
    expect(interactions.ofTrace(interaction.traceId)).toBe(interaction);
    expect(interactions.only()).toBe(interaction);
    const target = new EventTarget();
    let dispatching: Interaction | undefined;
    target.addEventListener('submit', () => {
      dispatching = interactions.dispatching();
    });
    target.dispatchEvent(joined);
    expect(dispatching).toBe(interaction);
    expect(interactions.dispatching()).toBeUndefined();

    interactions.endAll('shutdown');
    expect(interaction.ended).toBe(true);
    expect(interactions.ofEvent(event)).toBeUndefined();
    expect(interactions.ofTrace(interaction.traceId)).toBeUndefined();
    expect(interactions.size).toBe(0);
  });

  it('finds the dispatching one among many open, also for an event that joined after its first dispatch', async () => {
    const { interactions, click, child } = setup();
    const target = new EventTarget();
    const late = new Event('click');
    let dispatching: Interaction | undefined;
    target.addEventListener('click', () => {
      dispatching = interactions.dispatching();
    });
    const busy = click();
    child(busy);
    // Its first dispatch is over (the next task) while it is still at work; others open after it.
    await vi.advanceTimersByTimeAsync(1);
    expect(busy.dispatchOver).toBe(true);
    for (let i = 0; i < 100; i++) child(click());
    await vi.advanceTimersByTimeAsync(1);
    expect(interactions.dispatching(), 'none between dispatches').toBeUndefined();
    interactions.join(late, busy);
    target.dispatchEvent(late);
    expect(dispatching).toBe(busy);
    expect(interactions.dispatching()).toBeUndefined();
  });

  it('finds it dispatching again when the same event is dispatched a second time', async () => {
    const { interactions, click } = setup();
    const event = new Event('click');
    const interaction = click(event);
    await vi.advanceTimersByTimeAsync(1);
    expect(interactions.dispatching(), 'first dispatch over').toBeUndefined();
    const target = new EventTarget();
    let dispatching: Interaction | undefined;
    // One listener: in Node only the first listener of a dispatch sees its eventPhase.
    target.addEventListener('click', () => {
      // What the interaction listener does for an event it already knows, then a later lookup.
      interactions.join(event, interaction);
      dispatching = interactions.dispatching();
    });
    target.dispatchEvent(event);
    expect(dispatching).toBe(interaction);
  });

  it('counts a short contextless timer as the work of the only open interaction', async () => {
    const { interactions, lifetime, click, zoneContextManager } = setup();
    const interaction = click();
    const adopted = task('macroTask', { delay: 5 });
    const skipped = [task('macroTask', { delay: 5_000 }), task('macroTask', { isPeriodic: true, delay: 5 })];
    for (const candidate of [adopted, ...skipped]) interactions.adoptContextless(candidate);
    lifetime.bookkeeping(() => interactions.adoptContextless(task('macroTask', { delay: 5 })));
    zoneContextManager.with(interaction.context, () => interactions.adoptContextless(task('macroTask')));
    await vi.advanceTimersByTimeAsync(INTERACTION_QUIET_MS * 2);
    expect(interaction.ended).toBe(false);
    adopted.callback();
    await vi.advanceTimersByTimeAsync(INTERACTION_QUIET_MS);
    expect(interaction.ended).toBe(true);
  });

  it('adopts no contextless timer while two interactions are open', async () => {
    const { interactions, click } = setup();
    const first = click();
    const second = click();
    interactions.adoptContextless(task('macroTask', { delay: 5 }));
    await vi.advanceTimersByTimeAsync(INTERACTION_QUIET_MS + 1);
    expect(first.ended).toBe(true);
    expect(second.ended).toBe(true);
  });
});
