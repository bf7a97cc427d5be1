import { startTracing } from '@clicktrace/web';

// The lab's origins (e2e/breaks/playwright.config.ts picks free ports): every server the buttons
// call. All but `unlisted` may receive trace headers.
declare const __LAB_ORIGINS__: string;
export interface LabOrigins {
  listed: string;
  unlisted: string;
  strict: string;
  restart: string;
  b3: string;
  plain: string;
  proxy: string;
  untraced: string;
}
const origins = JSON.parse(__LAB_ORIGINS__) as LabOrigins;

startTracing({
  serviceName: 'lab-web',
  propagateTo: Object.entries(origins)
    .filter(([name]) => name !== 'unlisted')
    .map(([, origin]) => origin),
});

const status = document.getElementById('status') as HTMLOutputElement;
const show = (text: string) => {
  status.textContent = text;
};

/** One request; the page says how it ended, so a test can wait for that instead of a timer. */
function call(name: string, url: string): Promise<void> {
  return fetch(url).then(
    (response) => show(`${name}: ${response.status}`),
    (error: unknown) => show(`${name}: failed (${(error as Error).name})`),
  );
}

const switches: Record<string, () => unknown> = {
  healthy: () => call('healthy', `${origins.listed}/api/ok`),
  'not-injected': () => call('not-injected', `${origins.unlisted}/api/ok`),
  'header-stripped': () => call('header-stripped', `${origins.proxy}/api/ok`),
  'propagator-mismatch': () => call('propagator-mismatch', `${origins.b3}/api/ok`),
  'not-extracted': () => call('not-extracted', `${origins.plain}/api/ok`),
  'cors-refused': () => call('cors-refused', `${origins.strict}/api/ok`),
  'server-not-traced': () => call('server-not-traced', `${origins.untraced}/api/ok`),
  'context-lost-server': () => call('context-lost-server', `${origins.listed}/api/lost-context`),
  'restarted-by-policy': () => call('restarted-by-policy', `${origins.restart}/api/ok`),
  // A native await (no Vite plugin here), then a second request: zone.js lost the click's context
  // at the await. The first request is held by the server until a second click's arrives, so
  // two clicks are open and the SDK cannot guess which one the second request belongs to.
  'context-lost-browser': async () => {
    // no-store: Chromium's cache holds back a second GET of the same URL until the first is done.
    await fetch(`${origins.listed}/api/pair`, { cache: 'no-store' });
    await call('context-lost-browser', `${origins.listed}/api/after-await`);
  },
};

const container = document.getElementById('switches') as HTMLDivElement;
for (const [name, run] of Object.entries(switches)) {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = name;
  button.addEventListener('click', () => {
    void run();
  });
  container.append(button);
}
show('ready');
