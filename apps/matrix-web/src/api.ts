/** The demo API (apps/demo-api), on another origin: its requests get `traceparent` through `propagateTo`. */
export const apiUrl = import.meta.env.VITE_API_URL ?? 'http://127.0.0.1:3001';

/** `delayMs`: the API answers that much later, so the request stays in flight. */
export function pingUrl(path: string, delayMs = 0): string {
  const delay = delayMs > 0 ? `&delay=${delayMs}` : '';
  return `${apiUrl}/api/ping?path=${encodeURIComponent(path)}${delay}`;
}

/** `GET /api/ping?path=<path>`, the way an app calls its API: fetch first, then read the body. */
export async function ping(path: string, delayMs = 0): Promise<unknown> {
  const response = await fetch(pingUrl(path, delayMs));
  const body: unknown = await response.json();
  log(`${path}: ${JSON.stringify(body)}`);
  return body;
}

export function log(line: string): void {
  const output = document.getElementById('log');
  if (output) output.textContent += `${line}\n`;
}
