/**
 * @clicktrace/web/vite: the Vite plugin that lets zone.js follow native `async`/`await`. Runs in
 * Node (Vite's config), never in the page: the browser entry (`@clicktrace/web`) does not import it.
 *
 * @example
 * // vite.config.ts
 * import { clicktrace } from '@clicktrace/web/vite';
 * export default { plugins: [clicktrace()] };
 *
 * @module
 */

export { type ClicktracePluginOptions, clicktrace } from './clicktrace-plugin.js';
