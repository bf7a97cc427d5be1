/**
 * The waterfall viewer: one self-contained page (inline CSS and script, no external URLs) so
 * it works offline, from a file and in a test report. Its script is real TypeScript under
 * src/viewer/, bundled by the build into src/viewer-bundle.generated.ts (see
 * scripts/viewer-bundle.ts), and it puts all data into the DOM with `textContent`, never as
 * HTML, because span names, attributes and break texts come from whoever posts to the collector.
 *
 * One stylesheet and one script draw both pages: `VIEWER_PAGE`, served at `GET /`, reads the
 * collector's JSON API; a page made by `renderTraceHtml` carries the same answers as JSON in
 * a `<script type="application/json">` element and never fetches.
 *
 * `#trace=<traceId>` in the URL opens that trace (`&span=<spanId>` also that span), and
 * `#breaks` the list of breaks, so tools can link straight to them.
 */

import type { SavedViewerData } from './viewer/saved-data.js';
import { VIEWER_CSS, VIEWER_SCRIPT } from './viewer-bundle.generated.js';

export type { SavedViewerData } from './viewer/saved-data.js';
export { VIEWER_CSS, VIEWER_SCRIPT };

export interface ViewerDocumentOptions {
  /** Page title and heading; plain text (escaped here). */
  title: string;
  /** Embedded data for a saved page; without it the page is the live viewer of a collector. */
  saved?: SavedViewerData;
}

/** A whole viewer page: the live one, or a saved one that carries its data. */
export function viewerDocument({ title, saved }: ViewerDocumentOptions): string {
  const heading = escapeHtml(title);
  const data = saved
    ? `<script type="application/json" id="clicktrace-data">${embeddableJson(saved)}</script>\n`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${heading}</title>
<style>
${VIEWER_CSS}</style>
</head>
<body>
<header>
  <h1>${heading}</h1>
  <span class="count" id="count"></span>
  <nav id="nav"></nav>
</header>
<main>
  <aside id="traces" aria-label="Traces">
    <div id="filters"></div>
    <div id="list"></div>
  </aside>
  <section id="detail" aria-label="Trace">
    <div id="waterfall"><div class="empty">Select a trace on the left.</div></div>
    <div id="panel" hidden></div>
  </section>
  <section id="breaks-page" aria-label="Breaks" hidden></section>
</main>
${data}<script>
${VIEWER_SCRIPT}</script>
</body>
</html>
`;
}

/** The viewer served at `GET /`. */
export const VIEWER_PAGE = viewerDocument({ title: 'clicktrace collector' });

/**
 * JSON that can sit inside a `<script>` element: every `<` is written as `\u003c`, so no
 * string in it can close the element (`</script>`) or open a comment (`<!--`). JSON.parse
 * reads the escape back as `<`.
 */
export function embeddableJson(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c');
}

/** Text for HTML content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
