import type { StoredSpan, TraceSummary } from '@clicktrace/collector';

/** Talks to a running clicktrace collector over its HTTP API. */
export class CollectorClient {
  readonly url: string;

  constructor(url: string) {
    this.url = url.replace(/\/+$/, '');
  }

  async summaries(): Promise<TraceSummary[]> {
    const body = (await this._get('/api/traces')) as { traces: TraceSummary[] };
    return body.traces;
  }

  async spans(traceId: string): Promise<StoredSpan[]> {
    const body = (await this._get(`/api/traces/${encodeURIComponent(traceId)}`)) as { spans: StoredSpan[] };
    return body.spans;
  }

  /** Hands an OTLP/HTTP export body to the collector, as the exporter would have. */
  async post(body: Buffer, headers: Record<string, string>): Promise<Response> {
    return fetch(`${this.url}/v1/traces`, { method: 'POST', body, headers });
  }

  private async _get(path: string): Promise<unknown> {
    const response = await fetch(`${this.url}${path}`);
    if (!response.ok) throw new Error(`clicktrace collector answered ${response.status} to GET ${path}`);
    return response.json();
  }
}
