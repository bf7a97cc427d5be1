/**
 * The waterfall viewer: one self-contained page (inline CSS and vanilla JS, no external
 * URLs) so it works offline, from a file and in a test report, and needs no build step. All
 * data is put into the DOM with `textContent`, never as HTML, because span names and
 * attributes come from whoever posts to the collector.
 *
 * One stylesheet and one script draw both pages: `VIEWER_PAGE`, served at `GET /`, reads the
 * collector's JSON API; a page made by `renderTraceHtml` carries the same answers as JSON in
 * a `<script type="application/json">` element and never fetches.
 *
 * `#trace=<traceId>` in the URL opens that trace, so tools can link straight to one.
 */
import type { StoredSpan, TraceSummary } from './types.js';

/** The viewer's stylesheet: the content of its `<style>` element. */
export const VIEWER_CSS = `  :root { --fg: #1d2330; --muted: #6b7280; --line: #e5e7eb; --bg: #f8fafc; --accent: #2563eb; --error: #dc2626; }
  * { box-sizing: border-box; }
  body { margin: 0; height: 100vh; display: flex; flex-direction: column; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: #fff; }
  header { display: flex; align-items: center; gap: 12px; padding: 8px 14px; border-bottom: 1px solid var(--line); background: var(--bg); }
  header h1 { font-size: 15px; margin: 0; }
  header .count { color: var(--muted); }
  header button { margin-left: auto; }
  button { font: inherit; padding: 3px 10px; border: 1px solid var(--line); border-radius: 4px; background: #fff; cursor: pointer; }
  main { flex: 1; min-height: 0; display: grid; grid-template-columns: minmax(280px, 30%) 1fr; }
  #list { overflow: auto; border-right: 1px solid var(--line); }
  .trace { padding: 7px 12px; border-bottom: 1px solid var(--line); cursor: pointer; }
  .trace:hover { background: var(--bg); }
  .trace.selected { background: #eff6ff; box-shadow: inset 3px 0 var(--accent); }
  .trace .name { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .trace .meta { color: var(--muted); font-size: 12px; display: flex; gap: 10px; flex-wrap: wrap; }
  .empty { padding: 24px; color: var(--muted); }
  #detail { display: flex; flex-direction: column; min-width: 0; overflow: hidden; }
  #waterfall { flex: 1; overflow: auto; padding: 10px 14px; }
  #waterfall h2 { font-size: 14px; margin: 0 0 4px; }
  .subtitle { color: var(--muted); margin-bottom: 8px; }
  .legend { display: flex; gap: 14px; flex-wrap: wrap; margin-bottom: 8px; }
  .legend span { display: inline-flex; align-items: center; gap: 5px; }
  .swatch { width: 11px; height: 11px; border-radius: 2px; display: inline-block; }
  .row { display: grid; grid-template-columns: 38% 1fr; align-items: center; height: 24px; cursor: pointer; border-radius: 3px; }
  .row:hover { background: var(--bg); }
  .row.selected { background: #eff6ff; }
  .label { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; padding-right: 8px; }
  .label .kind { color: var(--muted); font-size: 11px; margin-left: 5px; }
  .label .orphan { color: #b45309; font-size: 11px; margin-left: 5px; }
  .track { position: relative; height: 100%; }
  .axis { position: relative; height: 18px; border-bottom: 1px solid var(--line); margin-bottom: 4px; color: var(--muted); font-size: 11px; }
  .tick { position: absolute; top: 0; transform: translateX(-50%); white-space: nowrap; }
  .bar { position: absolute; top: 5px; height: 14px; border-radius: 3px; min-width: 2px; }
  .bar.error { outline: 2px solid var(--error); outline-offset: -1px; }
  .bar .event { position: absolute; top: -2px; width: 2px; height: 18px; background: var(--fg); opacity: .6; }
  .duration { position: absolute; top: 4px; font-size: 11px; color: var(--muted); white-space: nowrap; padding: 0 4px; }
  .duration.inside { color: #fff; }
  #panel { border-top: 1px solid var(--line); max-height: 42%; overflow: auto; padding: 10px 14px; background: var(--bg); }
  #panel h3 { margin: 0 0 6px; font-size: 13px; }
  #panel h4 { margin: 10px 0 4px; font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
  table.kv { border-collapse: collapse; width: 100%; }
  table.kv td { border-bottom: 1px solid var(--line); padding: 2px 8px 2px 0; vertical-align: top; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
  table.kv td:first-child { width: 30%; color: var(--muted); }
  .status-error { color: var(--error); font-weight: 600; }
`;

/**
 * The viewer's script: the content of its `<script>` element. It expects the markup of
 * `viewerDocument` and reads its data from the element with id `clicktrace-data` when the
 * page has one, from the collector's API otherwise.
 */
export const VIEWER_SCRIPT = `(function () {
  'use strict';
  var PALETTE = ['#3b82f6', '#10b981', '#f59e0b', '#8b5cf6', '#ef4444', '#06b6d4', '#ec4899', '#84cc16', '#f97316', '#64748b'];
  var serviceColors = new Map();
  var selectedTraceId = null;
  var selectedSpanId = null;
  var shownSpanCount = -1;
  // A page made by renderTraceHtml carries its traces in a JSON script element and never
  // fetches; the live page reads the collector's API and polls it.
  var savedElement = document.getElementById('clicktrace-data');
  var saved = savedElement ? JSON.parse(savedElement.textContent) : null;

  function colorOf(service) {
    if (!serviceColors.has(service)) serviceColors.set(service, PALETTE[serviceColors.size % PALETTE.length]);
    return serviceColors.get(service);
  }

  // Every piece of data goes in through textContent: never parsed as HTML.
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function formatMs(ms) {
    if (ms < 1) return (ms * 1000).toFixed(0) + ' \\u00b5s';
    if (ms < 1000) return ms.toFixed(ms < 10 ? 2 : 1) + ' ms';
    return (ms / 1000).toFixed(2) + ' s';
  }

  function formatClock(nanos) {
    var date = new Date(Number(BigInt(nanos) / 1000000n));
    return date.toLocaleTimeString(undefined, { hour12: false }) + '.' + String(date.getMilliseconds()).padStart(3, '0');
  }

  function msBetween(fromNanos, toNanos) {
    return Number(BigInt(toNanos) - BigInt(fromNanos)) / 1e6;
  }

  function compareStart(a, b) {
    var x = BigInt(a.startTimeUnixNano), y = BigInt(b.startTimeUnixNano);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  function getJson(path) {
    return fetch(path, { cache: 'no-store' }).then(function (response) {
      if (!response.ok) throw new Error(path + ': HTTP ' + response.status);
      return response.json();
    });
  }

  // The page's data: the API's answers, or the same answers from the page itself when saved.
  function fetchTraces() {
    return saved ? Promise.resolve({ traces: saved.traces }) : getJson('api/traces');
  }

  function fetchTrace(traceId) {
    if (!saved) return getJson('api/traces/' + encodeURIComponent(traceId));
    if (!Object.prototype.hasOwnProperty.call(saved.spans, traceId)) return Promise.reject(new Error('trace ' + traceId + ' is not in this page'));
    return Promise.resolve({ traceId: traceId, spans: saved.spans[traceId] });
  }

  function renderList(traces) {
    var list = document.getElementById('list');
    document.getElementById('count').textContent = traces.length + (traces.length === 1 ? ' trace' : ' traces');
    list.replaceChildren();
    if (traces.length === 0) {
      list.append(el('div', 'empty', saved ? 'No spans.' : 'No traces yet. Send OTLP/HTTP to ' + location.origin + '/v1/traces'));
      return;
    }
    traces.forEach(function (trace) {
      var item = el('div', 'trace' + (trace.traceId === selectedTraceId ? ' selected' : ''));
      item.append(el('div', 'name', trace.rootName || '(root span missing) ' + trace.traceId.slice(0, 8)));
      var meta = el('div', 'meta');
      meta.append(
        el('span', '', trace.serviceNames.join(', ')),
        el('span', '', trace.spanCount + (trace.spanCount === 1 ? ' span' : ' spans')),
        el('span', '', formatMs(trace.durationMs)),
        el('span', '', formatClock(trace.startTimeUnixNano))
      );
      item.append(meta);
      // A saved page may sit where its URL cannot change (a report's frame): it opens the trace directly.
      item.addEventListener('click', function () {
        if (saved) openTrace(trace.traceId, null);
        else location.hash = 'trace=' + trace.traceId;
      });
      list.append(item);
      if (trace.traceId === selectedTraceId && trace.spanCount !== shownSpanCount) loadTrace(trace.traceId);
    });
  }

  // Parents above children, siblings by start time; spans whose parent never arrived are roots.
  function orderSpans(spans) {
    var byId = new Map(spans.map(function (span) { return [span.spanId, span]; }));
    var children = new Map();
    var roots = [];
    spans.forEach(function (span) {
      if (span.parentSpanId && byId.has(span.parentSpanId) && span.parentSpanId !== span.spanId) {
        if (!children.has(span.parentSpanId)) children.set(span.parentSpanId, []);
        children.get(span.parentSpanId).push(span);
      } else roots.push(span);
    });
    var rows = [];
    var seen = new Set();
    function visit(span, depth) {
      if (seen.has(span.spanId)) return; // a cycle in bad data must not hang the page
      seen.add(span.spanId);
      rows.push({ span: span, depth: depth, orphan: depth === 0 && Boolean(span.parentSpanId) });
      (children.get(span.spanId) || []).sort(compareStart).forEach(function (child) { visit(child, depth + 1); });
    }
    roots.sort(compareStart).forEach(function (root) { visit(root, 0); });
    return rows;
  }

  function renderTrace(traceId, spans) {
    var view = document.getElementById('waterfall');
    view.replaceChildren();
    shownSpanCount = spans.length;
    var start = spans.reduce(function (min, s) { return BigInt(s.startTimeUnixNano) < BigInt(min) ? s.startTimeUnixNano : min; }, spans[0].startTimeUnixNano);
    var end = spans.reduce(function (max, s) { return BigInt(s.endTimeUnixNano) > BigInt(max) ? s.endTimeUnixNano : max; }, spans[0].endTimeUnixNano);
    var total = Math.max(msBetween(start, end), 0.001);
    var rows = orderSpans(spans);
    var root = rows.find(function (row) { return !row.span.parentSpanId; });

    view.append(el('h2', '', root ? root.span.name : 'Trace ' + traceId));
    view.append(el('div', 'subtitle', 'trace ' + traceId + ' \\u00b7 ' + spans.length + ' spans \\u00b7 ' + formatMs(total) + ' \\u00b7 ' + formatClock(start)));

    var legend = el('div', 'legend');
    var services = [];
    rows.forEach(function (row) { if (services.indexOf(row.span.serviceName) < 0) services.push(row.span.serviceName); });
    services.forEach(function (service) {
      var entry = el('span');
      var swatch = el('i', 'swatch');
      swatch.style.background = colorOf(service);
      entry.append(swatch, el('span', '', service));
      legend.append(entry);
    });
    view.append(legend);

    var axisRow = el('div', 'row');
    axisRow.style.cursor = 'default';
    var axis = el('div', 'axis');
    for (var i = 0; i <= 4; i++) {
      var tick = el('span', 'tick', formatMs((total * i) / 4));
      tick.style.left = (i * 25) + '%';
      if (i === 0) tick.style.transform = 'none';
      if (i === 4) tick.style.transform = 'translateX(-100%)';
      axis.append(tick);
    }
    axisRow.append(el('div', 'label'), axis);
    view.append(axisRow);

    rows.forEach(function (row) {
      var span = row.span;
      var offset = msBetween(start, span.startTimeUnixNano);
      var duration = Math.max(msBetween(span.startTimeUnixNano, span.endTimeUnixNano), 0);
      var line = el('div', 'row' + (span.spanId === selectedSpanId ? ' selected' : ''));
      var label = el('div', 'label');
      label.style.paddingLeft = (row.depth * 16) + 'px';
      label.title = span.name + ' (' + span.serviceName + ')';
      label.append(el('span', '', span.name), el('span', 'kind', span.kind.toLowerCase()));
      if (row.orphan) label.append(el('span', 'orphan', 'parent missing'));
      var track = el('div', 'track');
      var bar = el('div', 'bar' + (span.status.code === 'ERROR' ? ' error' : ''));
      var left = (offset / total) * 100;
      var width = (duration / total) * 100;
      bar.style.left = left + '%';
      bar.style.width = width + '%';
      bar.style.background = colorOf(span.serviceName);
      span.events.forEach(function (event) {
        var mark = el('i', 'event');
        mark.title = event.name;
        mark.style.left = (duration > 0 ? (msBetween(span.startTimeUnixNano, event.timeUnixNano) / duration) * 100 : 0) + '%';
        bar.append(mark);
      });
      var text = el('span', 'duration', formatMs(duration));
      // The duration goes right of the bar; near the right edge it goes left of it, or
      // inside it when the bar spans nearly the whole trace.
      if (left + width <= 80) text.style.left = (left + width) + '%';
      else if (left >= 15) text.style.right = (100 - left) + '%';
      else { text.className += ' inside'; text.style.right = (100 - left - width) + '%'; }
      track.append(bar, text);
      line.append(label, track);
      line.addEventListener('click', function () {
        selectedSpanId = span.spanId;
        renderTrace(traceId, spans);
        renderPanel(span, row.orphan);
      });
      view.append(line);
    });
  }

  // Attributes are sorted by key; the span facts keep their own order (sorted: false).
  function kvTable(record, sorted) {
    var table = el('table', 'kv');
    var keys = Object.keys(record);
    if (keys.length === 0) {
      var empty = table.insertRow();
      empty.append(el('td', '', '(none)'));
      return table;
    }
    (sorted === false ? keys : keys.sort()).forEach(function (key) {
      var value = record[key];
      var tr = table.insertRow();
      tr.append(el('td', '', key), el('td', '', typeof value === 'string' ? value : JSON.stringify(value)));
    });
    return table;
  }

  function renderPanel(span, orphan) {
    var panel = document.getElementById('panel');
    panel.hidden = false;
    panel.replaceChildren();
    panel.append(el('h3', '', span.name));
    var status = span.status.code + (span.status.message ? ': ' + span.status.message : '');
    var facts = {
      service: span.serviceName,
      kind: span.kind,
      status: status,
      duration: formatMs(Math.max(msBetween(span.startTimeUnixNano, span.endTimeUnixNano), 0)),
      start: formatClock(span.startTimeUnixNano),
      spanId: span.spanId,
      parentSpanId: span.parentSpanId ? span.parentSpanId + (orphan ? ' (parent missing)' : '') : '(root)',
      scope: span.scope.name + (span.scope.version ? ' ' + span.scope.version : '')
    };
    if (span.traceState) facts.traceState = span.traceState;
    var factTable = kvTable(facts, false);
    if (span.status.code === 'ERROR') factTable.rows[Object.keys(facts).indexOf('status')].cells[1].className = 'status-error';
    panel.append(factTable);
    panel.append(el('h4', '', 'Attributes'), kvTable(span.attributes));
    if (span.events.length) {
      panel.append(el('h4', '', 'Events'));
      span.events.forEach(function (event) {
        panel.append(el('div', '', event.name + ' at +' + formatMs(msBetween(span.startTimeUnixNano, event.timeUnixNano))), kvTable(event.attributes));
      });
    }
    if (span.links.length) {
      panel.append(el('h4', '', 'Links'));
      span.links.forEach(function (link) { panel.append(el('div', '', link.traceId + ' / ' + link.spanId), kvTable(link.attributes)); });
    }
    panel.append(el('h4', '', 'Resource'), kvTable(span.resource));
  }

  function loadTrace(traceId) {
    return fetchTrace(traceId).then(function (body) {
      if (traceId !== selectedTraceId) return;
      renderTrace(traceId, body.spans);
      var panel = document.getElementById('panel');
      var selected = body.spans.find(function (span) { return span.spanId === selectedSpanId; });
      if (selected && panel.hidden) {
        var ids = new Set(body.spans.map(function (span) { return span.spanId; }));
        renderPanel(selected, Boolean(selected.parentSpanId) && !ids.has(selected.parentSpanId));
      }
    }, function () {
      if (traceId !== selectedTraceId) return;
      shownSpanCount = -1;
      document.getElementById('waterfall').replaceChildren(el('div', 'empty', 'Trace ' + traceId + (saved ? ' is not in this page.' : ' is not in the collector (cleared or evicted).')));
    });
  }

  function openTrace(traceId, spanId) {
    if (traceId === selectedTraceId) return;
    selectedTraceId = traceId;
    selectedSpanId = spanId;
    shownSpanCount = -1;
    document.getElementById('panel').hidden = true;
    if (traceId) loadTrace(traceId);
    else document.getElementById('waterfall').replaceChildren(el('div', 'empty', 'Select a trace on the left.'));
    refresh();
  }

  // #trace=<traceId> opens a trace; &span=<spanId> also opens that span's details. A saved
  // page opens its first trace when the URL names none.
  function selectFromHash() {
    var match = /trace=([0-9a-fA-F]{32})/.exec(location.hash);
    var spanMatch = /span=([0-9a-fA-F]{16})/.exec(location.hash);
    var traceId = match ? match[1].toLowerCase() : saved && saved.traces.length > 0 ? saved.traces[0].traceId : null;
    openTrace(traceId, spanMatch ? spanMatch[1].toLowerCase() : null);
  }

  function refresh() {
    return fetchTraces().then(function (body) { renderList(body.traces); }, function () {
      document.getElementById('count').textContent = 'collector unreachable';
    });
  }

  window.addEventListener('hashchange', selectFromHash);
  selectFromHash();
  refresh();
  if (!saved) {
    document.getElementById('clear').addEventListener('click', function () {
      fetch('api/traces', { method: 'DELETE' }).then(function () { location.hash = ''; refresh(); });
    });
    setInterval(refresh, 2000);
  }
})();
`;

/** What a saved page embeds: the answers of `GET /api/traces` and of `GET /api/traces/:traceId`. */
export interface SavedViewerData {
  traces: TraceSummary[];
  /** Each listed trace's spans, by trace id. */
  spans: Record<string, StoredSpan[]>;
}

export interface ViewerDocumentOptions {
  /** Page title and heading; plain text (escaped here). */
  title: string;
  /** Embedded data for a saved page; without it the page is the live viewer of a collector. */
  saved?: SavedViewerData;
}

/** A whole viewer page: the live one, or a saved one that carries its data. */
export function viewerDocument({ title, saved }: ViewerDocumentOptions): string {
  const heading = escapeHtml(title);
  const tools = saved ? '' : '\n  <button id="clear" type="button">Clear traces</button>';
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
  <span class="count" id="count"></span>${tools}
</header>
<main>
  <section id="list"></section>
  <section id="detail">
    <div id="waterfall"><div class="empty">Select a trace on the left.</div></div>
    <div id="panel" hidden></div>
  </section>
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
