/**
 * The viewer's script, bundled by the build into one inline `<script>` of the page (see
 * scripts/viewer-bundle.ts). A page made by renderTraceHtml carries its data in a
 * `<script type="application/json" id="clicktrace-data">` element and never fetches; the page
 * the collector serves reads the collector's API.
 */
import { apiSource, savedSource } from './data-source.js';
import type { SavedViewerData } from './saved-data.js';
import { Viewer } from './viewer.js';

const savedElement = document.getElementById('clicktrace-data');
const source = savedElement
  ? savedSource(JSON.parse(savedElement.textContent ?? '') as SavedViewerData)
  : apiSource();
new Viewer(source).start();
