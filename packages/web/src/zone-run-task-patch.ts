import { diag } from '@opentelemetry/api';

/** zone.js keeps a task's zone in `_zone` (read through the `zone` getter); we swap it for one call. */
type MutableZoneTask = Task & { _zone: Zone };
type RunTask = (this: Zone, task: Task, applyThis?: unknown, applyArgs?: unknown[]) => unknown;

/**
 * Makes every addEventListener listener run inside the context of the interaction its event
 * belongs to.
 *
 * zone.js runs each listener as an EventTask in the zone it was registered in (usually the root
 * zone), so the capture listener that starts the interaction cannot change what the page's own
 * listeners see. As @opentelemetry/instrumentation-user-interaction does, we wrap
 * `Zone.prototype.runTask`: for an event task whose event has an interaction, run the task in
 * the interaction's zone for the task's zone (`zoneFor`: a fork of it that tracks the
 * interaction's work and carries its context), and put the original zone back afterwards. The restore matters: one EventTask serves every later event on that listener, and
 * a zone left behind would leak this click's context into the next one.
 *
 * Returns the function that removes the patch.
 */
export function patchZoneRunTask(zoneFor: (event: unknown, taskZone: Zone) => Zone | undefined): () => void {
  const prototype = (Zone as unknown as { prototype: { runTask: RunTask } }).prototype;
  const original = prototype.runTask;
  let enabled = true;

  function interactionZoneFor(
    taskZone: Zone,
    task: Task,
    applyArgs: unknown[] | undefined,
  ): Zone | undefined {
    if (!enabled || task.type !== 'eventTask' || task.zone !== taskZone || !Array.isArray(applyArgs)) return;
    return zoneFor(applyArgs[0], taskZone);
  }

  const runTaskInInteraction: RunTask = function runTaskInInteraction(task, applyThis, applyArgs) {
    let interactionZone: Zone | undefined;
    try {
      interactionZone = interactionZoneFor(this, task, applyArgs);
    } catch (error) {
      diag.error('clicktrace: could not enter the interaction zone', error);
    }
    if (!interactionZone) return original.call(this, task, applyThis, applyArgs);
    const zoneTask = task as MutableZoneTask;
    zoneTask._zone = interactionZone;
    try {
      return original.call(interactionZone, task, applyThis, applyArgs);
    } finally {
      zoneTask._zone = this;
    }
  };

  prototype.runTask = runTaskInInteraction;
  return function unpatchZoneRunTask() {
    enabled = false;
    // If something wrapped runTask after us, leave the chain alone: `enabled` already makes
    // our layer a pass-through.
    if (prototype.runTask === runTaskInInteraction) prototype.runTask = original;
  };
}
