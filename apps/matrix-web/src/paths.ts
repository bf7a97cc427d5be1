import { later } from 'await-dep';
import { log, ping, pingUrl } from './api.js';

// One handler per async path from a click to a request, each written the way applications write
// it: native async/await in the source, timers, promise chains, DOM APIs. Nothing here knows about
// tracing; whether each request lands under its click is what e2e/matrix measures.

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise that settles once `arrive()` was called twice; `arrive()` says whether this was the second. */
function bothClicked(): { both: Promise<void>; arrive(): boolean } {
  let arrived = 0;
  let release = (): void => {};
  const both = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    both,
    arrive() {
      arrived++;
      if (arrived === 2) release();
      return arrived === 2;
    },
  };
}

function button(root: Document, id: string): HTMLButtonElement {
  const element = root.getElementById(id);
  if (!(element instanceof HTMLButtonElement)) throw new Error(`matrix-web: no button #${id}`);
  return element;
}

export function wirePaths(root: Document): void {
  const on = (id: string, handler: (event: MouseEvent) => unknown): void => {
    button(root, id).addEventListener('click', handler);
  };

  // The request starts in the handler itself.
  on('sync', () => {
    void ping('sync');
  });

  // One native await before the request.
  on('await-once', async () => {
    await sleep(10);
    await ping('await-once');
  });

  // Three native awaits in a row before the request.
  on('await-three', async () => {
    await sleep(5);
    await sleep(5);
    await sleep(5);
    await ping('await-three');
  });

  // A first request, awaited, then a second one that depends on it.
  on('await-fetch-then-fetch', async () => {
    await ping('await-fetch-then-fetch-1');
    await ping('await-fetch-then-fetch-2');
  });

  // Await a promise made by a dependency Vite pre-bundles (native async inside node_modules).
  on('await-dep', async () => {
    await later(10);
    await ping('await-dep');
  });

  on('set-timeout', () => {
    setTimeout(() => void ping('set-timeout'), 10);
  });

  // The request goes out on the first tick.
  on('set-interval', () => {
    const timer = setInterval(() => {
      clearInterval(timer);
      void ping('set-interval');
    }, 10);
  });

  on('raf', () => {
    requestAnimationFrame(() => void ping('raf'));
  });

  on('queue-microtask', () => {
    queueMicrotask(() => void ping('queue-microtask'));
  });

  // A promise chain, no async function in sight.
  on('then-chain', () => {
    sleep(10)
      .then(() => ({ note: 'validated' }))
      .then(() => ping('then-chain'))
      .catch((error: unknown) => log(`then-chain failed: ${String(error)}`));
  });

  on('promise-all', async () => {
    await Promise.all([ping('promise-all-1'), ping('promise-all-2')]);
  });

  // A message to ourselves, the way schedulers yield to the event loop.
  on('message-channel', () => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      void ping('message-channel');
    };
    port2.postMessage('go');
  });

  on('xhr', () => {
    const request = new XMLHttpRequest();
    request.open('GET', pingUrl('xhr'));
    request.responseType = 'json';
    request.onload = () => log(`xhr: ${JSON.stringify(request.response)}`);
    request.send();
  });

  on('fetch-request', async () => {
    const response = await fetch(
      new Request(pingUrl('fetch-request'), { headers: { accept: 'application/json' } }),
    );
    log(`fetch-request: ${JSON.stringify(await response.json())}`);
  });

  // A form's submit listener: the request belongs to the submit, which the click on its button caused.
  const form = root.getElementById('form-submit-form') as HTMLFormElement;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const note = new FormData(form).get('note');
    await ping('form-submit');
    log(`form-submit: sent ${String(note)}`);
  });

  // Pressed with Enter while focused: the browser turns the key into a click.
  on('enter-key', async () => {
    await ping('enter-key');
  });

  // Two buttons clicked a few milliseconds apart, each awaiting before its request, with a
  // "still working" notice armed until its answer arrives (the API answers 300 ms later). Each
  // handler waits until both buttons were clicked before it sends, so the two interactions
  // overlap however far apart a busy machine lands the clicks.
  let pair = bothClicked();
  for (const id of ['two-clicks-a', 'two-clicks-b']) {
    on(id, async () => {
      const notice = setTimeout(() => log(`${id}: still working`), 1000);
      const mine = pair;
      if (mine.arrive()) pair = bothClicked();
      await mine.both;
      await sleep(20);
      await ping(id, 300);
      clearTimeout(notice);
    });
  }

  // A click handler that clicks another button; that button's handler makes the request.
  on('nested-click', () => {
    button(root, 'nested-click-inner').click();
  });
  on('nested-click-inner', () => {
    void ping('nested-click');
  });
}
