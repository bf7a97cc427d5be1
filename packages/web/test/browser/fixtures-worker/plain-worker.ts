// A worker without clicktrace: posts back every message exactly as it received it.
const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent) => unknown) | null;
  postMessage(message: unknown): void;
};
scope.onmessage = (event) => scope.postMessage({ data: event.data, ports: event.ports.length });
