// The worker fixture: a page running startTracing whose buttons hand work to dedicated workers
// with postMessage and do nothing else. Query parameters: api (the API origin the workers fetch
// from), classic (also start the classic worker: it only works in a Vite build, which bundles it).
// zone.js first, as importing @clicktrace/web first does for an app: the package's sideEffects
// name its dist files, so a production build of this fixture (which imports the sources) needs it.
import 'zone.js';

import { startTracing } from '../../../src/index.js';

const params = new URLSearchParams(location.search);
const API = params.get('api') ?? '';

startTracing({ serviceName: 'fixture-web' });

/** Every message each worker posted to the page, as the page's own listeners received it. */
const received: Record<string, unknown[]> = { traced: [], plain: [], classic: [] };
/** Whether the buffer of each message posted was transferred (detached here), by job id. */
const transferred: Record<string, boolean> = {};

function ready(name: string, data: unknown): void {
  if ((data as { ready?: boolean } | null)?.ready) document.body.dataset[`${name}Ready`] = '';
}

// A module worker running startWorkerTracing. The page listens the way apps do: `onmessage`.
const traced = new Worker(new URL('./traced-worker.ts', import.meta.url), { type: 'module' });
traced.onmessage = (event) => {
  received.traced?.push(event.data);
  ready('traced', event.data);
};

// A module worker without clicktrace, which posts every message back as it received it.
const plain = new Worker(new URL('./plain-worker.ts', import.meta.url), { type: 'module' });
plain.addEventListener('message', (event) => received.plain?.push(event.data));

// A classic worker (no `type: 'module'`) running startWorkerTracing.
let classic: Worker | undefined;
if (params.has('classic')) {
  classic = new Worker(new URL('./classic-worker.ts', import.meta.url));
  classic.addEventListener('message', (event) => {
    received.classic?.push(event.data);
    ready('classic', event.data);
  });
}

/** A job for a traced worker, with a buffer in its transfer list. */
function postJob(worker: Worker | undefined, via: string): void {
  const buffer = new Uint8Array([1, 2, 3, 4]).buffer;
  worker?.postMessage({ via, api: API, id: via, buffer }, [buffer]);
  transferred[via] = buffer.byteLength === 0;
}

document.getElementById('to-onmessage')?.addEventListener('click', () => postJob(traced, 'onmessage'));
document.getElementById('to-listener')?.addEventListener('click', () => postJob(traced, 'listener'));
document.getElementById('to-classic')?.addEventListener('click', () => postJob(classic, 'classic'));
document.getElementById('to-plain')?.addEventListener('click', () => {
  const buffer = new Uint8Array([5, 6, 7]).buffer;
  plain.postMessage({ kind: 'job', n: 1, nested: { list: [1, 'two'] }, buffer }, { transfer: [buffer] });
  transferred.plain = buffer.byteLength === 0;
});

Object.assign(window, {
  received,
  transferred,
  /** Hands a job to the traced worker from outside any click (a test calls it with evaluate). */
  postOutsideClick: () => postJob(traced, 'outside'),
  /** What the native postMessage() says to no argument, and to a message it cannot clone. */
  postBadly: () =>
    [() => (traced.postMessage as () => void)(), () => traced.postMessage(() => {})].map((post) => {
      try {
        post();
        return 'posted';
      } catch (error) {
        return (error as Error).name;
      }
    }),
});
