// What the traced workers do with a job: an await, then a fetch to the API, then the answer to the
// page. `via` says which handler takes it: `onmessage`, or the `message` listener.

interface Job {
  via: string;
  api: string;
  id: string;
  buffer: ArrayBuffer;
}

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent) => unknown) | null;
  addEventListener(type: 'message', listener: (event: MessageEvent) => unknown): void;
  postMessage(message: unknown): void;
};

async function handle(job: Job, event: MessageEvent): Promise<void> {
  // Native await without the Vite plugin: zone.js follows it only because the plugin lowers it.
  await new Promise((resolve) => setTimeout(resolve, 1));
  const response = await fetch(`${job.api}/worker/${job.id}`);
  scope.postMessage({
    id: job.id,
    status: response.status,
    keys: Object.keys(job),
    bytes: [...new Uint8Array(job.buffer)],
    ports: event.ports.length,
  });
}

/** Takes jobs through `self.onmessage` and `addEventListener('message')`, then says it is ready. */
export function handleJobs(): void {
  scope.onmessage = (event) => {
    const job = event.data as Job;
    if (job.via !== 'listener') void handle(job, event);
  };
  scope.addEventListener('message', (event) => {
    const job = event.data as Job;
    if (job.via === 'listener') void handle(job, event);
  });
  scope.postMessage({ ready: true });
}
