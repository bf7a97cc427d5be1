import { diag } from '@opentelemetry/api';

type ScheduleTask = (this: Zone, task: Task) => Task;

/**
 * Reports every macrotask zone.js schedules, in any zone, after it is scheduled.
 *
 * The interaction scope (interaction-scope.ts) parents a contextless request to the one open
 * interaction; for that, the interaction must still be open when the request starts. After a
 * native `await` (no Vite plugin), an app's timers are scheduled in the root zone, outside the
 * interaction's tracking zone, so `await sleep(5); await sleep(5); fetch()` would see the
 * interaction end after the first timer. Watching `Zone.prototype.scheduleTask` lets the lifetime
 * count such timers as the interaction's work (see InteractionRegistry.adoptContextless and
 * Interaction.adopt).
 *
 * Returns the function that removes the patch.
 */
export function patchZoneScheduleTask(onMacroTask: (task: Task) => void): () => void {
  const prototype = (Zone as unknown as { prototype: { scheduleTask: ScheduleTask } }).prototype;
  const original = prototype.scheduleTask;
  let enabled = true;

  const scheduleTaskWatched: ScheduleTask = function scheduleTaskWatched(task) {
    const scheduled = original.call(this, task);
    if (enabled && task.type === 'macroTask') {
      try {
        onMacroTask(task);
      } catch (error) {
        diag.error('clicktrace: could not watch a scheduled task', error);
      }
    }
    return scheduled;
  };

  prototype.scheduleTask = scheduleTaskWatched;
  return function unpatchZoneScheduleTask() {
    enabled = false;
    if (prototype.scheduleTask === scheduleTaskWatched) prototype.scheduleTask = original;
  };
}
