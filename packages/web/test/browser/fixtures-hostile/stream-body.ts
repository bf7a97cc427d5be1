// Uploads whose body is a ReadableStream (duplex: 'half'), to the API (in propagateTo): in a
// Request, and in the init. Whatever Chromium does with them, the app prints it.
import { API, button, outcomeOf, show, startTracingIfAsked } from './harness.js';

await startTracingIfAsked();

function streamOf(text: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });
}

// duplex is missing from TypeScript's RequestInit.
const upload = (body: ReadableStream<Uint8Array>) =>
  ({ method: 'POST', body, duplex: 'half' }) as RequestInit;

button('request', 'Upload a Request', async () => {
  const request = new Request(`${API}/stream-request`, upload(streamOf('streamed request')));
  const outcome = await outcomeOf(fetch(request));
  show(`request: ${outcome}; bodyUsed ${request.bodyUsed}`);
});

button('init', 'Upload with init', async () => {
  const body = streamOf('streamed init');
  const outcome = await outcomeOf(fetch(`${API}/stream-init`, upload(body)));
  show(`init: ${outcome}; locked ${body.locked}`);
});
