import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExportedSpan, type Recorder, startRecorder } from './recorder.js';
import { type App, registerEsm, spawnApp } from './spawn-app.js';

// Sends 10,000 random and malformed traceparent/tracestate headers to a real traced node:http
// server (a child process, our propagator installed globally) and checks that it never crashes,
// never answers anything but 200, never hangs, and restarts the trace exactly when the header is
// invalid. Validity is judged by the independent oracle below, written from the spec's ABNF, not by
// the parser under test.

const REQUESTS = 10_000;
const IN_FLIGHT = 32;
const SERVER = 2;
// Fixed, so CI runs the same 10,000 headers every time; FUZZ_SEED explores (or replays) others.
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_121);

/** Deterministic PRNG (mulberry32), so a failing run can be replayed with FUZZ_SEED. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(SEED);
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[int(16)]).join('');

/** Every byte an HTTP client may put in a field value: HTAB, SP, VCHAR, obs-text (RFC 7230 §3.2). */
const FIELD_BYTES = [
  '\t',
  ...Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i)),
].concat(Array.from({ length: 0x80 }, (_, i) => String.fromCharCode(0x80 + i)));
const fieldChars = (n: number) => Array.from({ length: n }, () => pick(FIELD_BYTES)).join('');

function validTraceparent(): string {
  const version = random() < 0.8 ? '00' : pick(['01', 'cc', 'fe', '7f']);
  const flags = pick(['00', '01', '02', '03', hex(2)]);
  const extra = version !== '00' && random() < 0.5 ? `-${hex(int(20))}` : '';
  return `${version}-${hex(32)}-${hex(16)}-${flags}${extra}`;
}

/** A valid header with one thing wrong (or, sometimes, nothing wrong). */
function mutated(): string {
  const header = validTraceparent();
  const at = int(header.length);
  switch (int(12)) {
    case 0:
      return header.slice(0, at) + pick(FIELD_BYTES) + header.slice(at + 1);
    case 1:
      return header.slice(0, at) + header.slice(at + 1);
    case 2:
      return header.slice(0, at) + pick(['0', 'a', '-', 'F', ' ', ',']) + header.slice(at);
    case 3:
      return header.slice(0, at) + header.slice(at).toUpperCase();
    case 4:
      return `ff${header.slice(2)}`;
    case 5:
      return `${header.slice(0, 3)}${'0'.repeat(32)}${header.slice(35)}`;
    case 6:
      return `${header.slice(0, 36)}${'0'.repeat(16)}${header.slice(52)}`;
    case 7:
      return `${pick(['', ' ', '\t', ' \t '])}${header}${pick(['', ' ', '\t', '  '])}`;
    case 8:
      return `${header}${pick(['-', '-x', '.', '0', '-what-the-future-will-be-like'])}`;
    case 9:
      return header.slice(0, int(header.length));
    case 10:
      return header.replaceAll('-', pick(['_', '--', ' ', '']));
    default:
      return header;
  }
}

function traceparentValues(): string[] | undefined {
  switch (int(8)) {
    case 0:
      return undefined;
    case 1:
      return [fieldChars(int(120))];
    case 2:
      return [validTraceparent(), random() < 0.5 ? validTraceparent() : mutated()];
    case 3:
      return [validTraceparent()];
    default:
      return [mutated()];
  }
}

function tracestateValues(): string[] | undefined {
  const member = () => `${pick(['a', 'congo', 'rojo', 't0@sys', 'x'])}${int(40)}=${hex(1 + int(30))}`;
  switch (int(8)) {
    case 0:
    case 1:
      return undefined;
    case 2:
      return [fieldChars(int(200))];
    case 3:
      return [Array.from({ length: 1 + int(40) }, member).join(pick([',', ', ', ' ,\t']))];
    case 4:
      // Over 512 characters, with an entry over 128: truncation drops that one first.
      return [
        [
          `k=${'v'.repeat(255)}`,
          ...Array.from({ length: 20 + int(20) }, (_, i) => `m${i}=${hex(1 + int(20))}`),
        ].join(','),
      ];
    case 5:
      // Big, but below node's 16 KiB header limit: that limit is node's, and answers 431, not us.
      return [
        Array.from({ length: 300 }, member)
          .join(',')
          .slice(0, 4_000 + int(4_000)),
      ];
    case 6:
      return [member(), member(), 'dup=1,dup=2'];
    default:
      return [member()];
  }
}

// --- the oracle: the spec's grammar, as plainly as possible ---------------------------------
const V00 = /^[ \t]*00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})[ \t]*$/;
const VNEXT = /^[ \t]*([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-[^,]*)?[ \t]*$/;

/** What a spec-following server must continue, from the field values as sent (several = invalid). */
function oracle(
  values: string[] | undefined,
): { traceId: string; spanId: string; flags: number } | undefined {
  if (values?.length !== 1) return undefined;
  const value = values[0] as string;
  const match = V00.exec(value) ?? VNEXT.exec(value);
  if (!match) return undefined;
  const [traceId, spanId, flags] = match[0].trim().startsWith('00-')
    ? [match[1], match[2], match[3]]
    : [match[2], match[3], match[4]];
  if (!match[0].trim().startsWith('00-') && match[1] === 'ff') return undefined;
  if (/^0+$/.test(traceId as string) || /^0+$/.test(spanId as string)) return undefined;
  return {
    traceId: traceId as string,
    spanId: spanId as string,
    flags: Number.parseInt(flags as string, 16),
  };
}

interface Sent {
  index: number;
  traceparent: string[] | undefined;
  tracestate: string[] | undefined;
  status: number;
  /** The traceparent and tracestate the server would send downstream from inside the handler. */
  outgoing: string;
  outgoingState: string | undefined;
}

let receiver: Recorder;
let api: App;
const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });

beforeAll(async () => {
  receiver = await startRecorder();
  api = await spawnApp(['--import', registerEsm], 'fuzz-server.mjs', {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '50',
    OTEL_BSP_MAX_QUEUE_SIZE: String(REQUESTS * 2),
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2000',
  });
}, 60_000);

afterAll(async () => {
  agent.destroy();
  await api?.stop();
  await receiver?.close();
});

function send(index: number): Promise<Sent> {
  const traceparent = traceparentValues();
  const tracestate = tracestateValues();
  const headers: Record<string, string[]> = {};
  if (traceparent) headers.traceparent = traceparent;
  if (tracestate) headers.tracestate = tracestate;
  return new Promise((resolve, reject) => {
    const req = request(`${api.url}/f/${index}`, { agent, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        const sent =
          res.statusCode === 200 ? (JSON.parse(body) as { traceparent?: string; tracestate?: string }) : {};
        resolve({
          index,
          traceparent,
          tracestate,
          status: res.statusCode ?? 0,
          outgoing: sent.traceparent ?? '',
          outgoingState: sent.tracestate,
        });
      });
    });
    req.setTimeout(5_000, () => req.destroy(new Error(`request ${index} hung`)));
    req.on('error', (error) =>
      reject(new Error(`request ${index} (${JSON.stringify(headers)}): ${error.message}`)),
    );
    req.end();
  });
}

describe(`fuzzing traceparent/tracestate (FUZZ_SEED=${SEED})`, () => {
  it(`serves ${REQUESTS} random and malformed headers with 200, restarting exactly the invalid ones`, async () => {
    const results: Sent[] = [];
    let next = 0;
    const worker = async () => {
      while (next < REQUESTS) results.push(await send(next++));
    };
    // No overall deadline: each request fails on its own if it hangs (see send).
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));

    expect(results).toHaveLength(REQUESTS);
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    expect(api.child.exitCode).toBeNull();
    expect(api.child.signalCode).toBeNull();

    const wrong: unknown[] = [];
    let continued = 0;
    for (const sent of results) {
      const expected = oracle(sent.traceparent);
      const [version, traceId, , flags] = sent.outgoing.split('-');
      const outFlags = Number.parseInt(flags ?? '', 16);
      const ok =
        version === '00' &&
        /^[0-9a-f]{32}$/.test(traceId ?? '') &&
        (expected
          ? traceId === expected.traceId && outFlags === (expected.flags & 3)
          : // Restarted: a trace id of our own (none of the sent ones), sampled and random.
            !(sent.traceparent ?? []).some((value) => value.includes(traceId ?? '')) && outFlags === 3);
      // A restarted trace carries no tracestate of the caller's; a continued one at most 512 characters.
      const stateOk = expected ? (sent.outgoingState ?? '').length <= 512 : sent.outgoingState === undefined;
      if (expected) continued++;
      if (!ok || !stateOk) {
        const { index, traceparent, outgoing, outgoingState } = sent;
        wrong.push({
          index,
          traceparent,
          expected,
          outgoing,
          outgoingState,
          tracestate: sent.tracestate?.join(',').slice(0, 80),
        });
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    // The generators must exercise both sides, plenty of each.
    expect(continued).toBeGreaterThan(REQUESTS / 10);
    expect(REQUESTS - continued).toBeGreaterThan(REQUESTS / 2);
    expect(results.filter((r) => r.outgoingState !== undefined).length).toBeGreaterThan(REQUESTS / 50);

    // Every sampled server span was exported with the trace context the handler saw.
    const sampled = results.filter((r) => r.outgoing.endsWith('1') || r.outgoing.endsWith('3'));
    const spans = await exportedServerSpans(sampled.length);
    const mismatched = sampled.filter((sent) => {
      const span = spans.get(`/f/${sent.index}`);
      const expected = oracle(sent.traceparent);
      return span?.traceId !== sent.outgoing.split('-')[1] || span?.parentSpanId !== expected?.spanId;
    });
    expect(mismatched.slice(0, 5)).toEqual([]);
  }, 60_000);
});

/** Server spans by url.path, once `count` have arrived. Polls; the recorder re-parses every export. */
async function exportedServerSpans(count: number): Promise<Map<string, ExportedSpan>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const spans = receiver.spans().filter((s) => s.kind === SERVER);
    if (spans.length >= count || Date.now() > deadline) {
      return new Map(spans.map((s) => [String(s.attributes['url.path']), s]));
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
