// A small data-fetching helper, the way SPAs wrap fetch. It knows nothing about tracing.
const API_URL: string = import.meta.env.VITE_API_URL ?? 'http://127.0.0.1:3001';

export async function api<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${API_URL}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return (await response.json()) as T;
}

export const apiUrl = API_URL;
