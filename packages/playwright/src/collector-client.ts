import type { StoredSpan, TraceBreak, TraceSummary } from '@clicktrace/collector';

/** Talks to a running clicktrace collector over its HTTP API. */
export class CollectorClient {
  readonly url: string;

  /** Where OTLP/HTTP exports go. */
  readonly tracesUrl: string;

  constructor(url: string) {
    this.url = url.replace(/\/+$/, '');
    this.tracesUrl = `${this.url}/v1/traces`;
  }

  /** The trace list; with `owner`, only the traces that owner sent (`/v1/traces?owner=`). */
  async summaries(owner?: string): Promise<TraceSummary[]> {
    const query = owner === undefined ? '' : `?owner=${encodeURIComponent(owner)}`;
    const body = (await this._get(`/api/traces${query}`)) as { traces: TraceSummary[] };
    return body.traces;
  }

  /** One trace's spans, and the breaks it takes part in (none from a collector without the diagnosis). */
  async trace(traceId: string): Promise<{ spans: StoredSpan[]; breaks: TraceBreak[] }> {
    const body = (await this._get(`/api/traces/${encodeURIComponent(traceId)}`)) as {
      spans: StoredSpan[];
      breaks?: TraceBreak[];
    };
    return { spans: body.spans, breaks: body.breaks ?? [] };
  }

  /** Hands an OTLP/HTTP export body to the collector, as the exporter would have (to `url`, an owner's). */
  async post(body: Buffer, headers: Record<string, string>, url = this.tracesUrl): Promise<Response> {
    return fetch(url, { method: 'POST', body, headers });
  }

  private async _get(path: string): Promise<unknown> {
    const response = await fetch(`${this.url}${path}`);
    if (!response.ok) throw new Error(`clicktrace collector answered ${response.status} to GET ${path}`);
    return response.json();
  }
}
