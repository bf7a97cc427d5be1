import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExportedSpan, type Recorder, startRecorder } from './recorder.js';
import { type App, registerEsm, spawnApp } from './spawn-app.js';

// Sends 10,000 random and malformed traceparent/tracestate headers to a real traced node:http
// server (a child process, our propagator installed globally) and checks that it never crashes,
// never answers anything but 200, never hangs, restarts the trace exactly when the header is
// invalid, and sends on exactly the tracestate the rules say. Both are judged by the independent
// oracle below, written from the spec's ABNF and rules (Level 2 for tracestate), not by the parser
// under test.

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

/** Keys at the edges of the Level 2 grammar: valid ones (most), and a few that are not. */
const EDGE_KEYS = [
  'foo@',
  'foo@@bar',
  'foo@bar@baz',
  't@1v',
  `t@${'v'.repeat(15)}`,
  `${'t'.repeat(241)}@${'v'.repeat(14)}`,
  'z'.repeat(256),
  '0@',
  'a_-*/@9',
  '@foo',
  'z'.repeat(257),
  `${'t'.repeat(242)}@${'v'.repeat(14)}`,
  'Foo@bar',
  '-foo',
];

function tracestateValues(): string[] | undefined {
  const member = () => `${pick(['a', 'congo', 'rojo', 't0@sys', 'x'])}${int(40)}=${hex(1 + int(30))}`;
  const edgeMember = () =>
    random() < 0.5 ? `${pick(EDGE_KEYS)}=${hex(1 + int(8))}` : `${pick(['dup', 'foo@', 'k'])}=${int(3)}`;
  switch (int(10)) {
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
    case 7:
      // Level 2 keys and repeated keys, in one header field.
      return [Array.from({ length: 1 + int(8) }, edgeMember).join(pick([',', ', ', ' , ']))];
    case 8:
      // Repeated keys spread over several header fields, around the 32-member limit.
      return Array.from({ length: 1 + int(3) }, () =>
        Array.from(
          { length: int(18) },
          () => `${pick(['dup', 'foo@', 'rojo', `k${int(30)}`])}=${int(3)}`,
        ).join(','),
      );
    default:
      return [member()];
  }
}

// --- the oracle: the spec's grammar, as plainly as possible ---------------------------------
/** Level 1's key grammar, only to count how often the generators reach past it. */
const LEVEL_1_KEY = /^(?:[a-z][a-z0-9_\-*/]{0,255}|[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13})$/;
const V00 = /^[ \t]*00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})[ \t]*$/;
const VNEXT = /^[ \t]*([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-[^,]*)?[ \t]*$/;

/** `key = ( lcalpha / DIGIT ) 0*255 ( keychar )`, https://www.w3.org/TR/trace-context-2/#key */
const LCALPHA_DIGIT = 'abcdefghijklmnopqrstuvwxyz0123456789';
const KEYCHAR = `${LCALPHA_DIGIT}_-*/@`;
function oracleKey(key: string): boolean {
  if (key.length < 1 || key.length > 256 || !LCALPHA_DIGIT.includes(key[0] as string)) return false;
  return [...key].every((char) => KEYCHAR.includes(char));
}

/** `value = 0*255(chr) nblk-chr`, `nblk-chr = %x21-2B / %x2D-3C / %x3E-7E`, `chr = %x20 / nblk-chr` */
function oracleValue(value: string): boolean {
  const codes = [...value].map((char) => char.charCodeAt(0));
  const nblk = (code: number) => code >= 0x21 && code <= 0x7e && code !== 0x2c && code !== 0x3d;
  return (
    codes.length >= 1 &&
    codes.length <= 256 &&
    codes.every((code) => code === 0x20 || nblk(code)) &&
    nblk(codes[codes.length - 1] as number)
  );
}

/**
 * The tracestate a spec-following server sends on when it continues the trace, from the field values
 * as sent, or undefined for none:
 * - the fields are combined with commas (RFC 9110 §5.3); SP/HTAB around members and empty members
 *   are ignored;
 * - more than 32 list-members, counted as received, or any member that breaks the key or value
 *   grammar: the header is discarded (our choice where the spec says MAY, as the conformance suite
 *   expects);
 * - a repeated key: its left-most entry is kept where it stands (Level 2 no longer discards the
 *   header; the left-most is the most recent);
 * - over 512 characters: whole entries go, those over 128 characters first, then from the end.
 */
function oracleTracestate(values: string[] | undefined): string | undefined {
  if (values === undefined) return undefined;
  const members = values
    .join(',')
    .split(',')
    .map((member) => member.replace(/^[ \t]+|[ \t]+$/g, ''))
    .filter((member) => member !== '');
  if (members.length > 32) return undefined;
  const kept: string[][] = [];
  for (const member of members) {
    const at = member.indexOf('=');
    const [key, value] = [member.slice(0, Math.max(at, 0)), member.slice(at + 1)];
    if (at < 0 || !oracleKey(key) || !oracleValue(value)) return undefined;
    if (!kept.some(([k]) => k === key)) kept.push([key, value]);
  }
  const text = () => kept.map(([key, value]) => `${key}=${value}`).join(',');
  while (text().length > 512) {
    const large = kept.map(([key, value]) => `${key}=${value}`.length > 128).lastIndexOf(true);
    kept.splice(large === -1 ? kept.length - 1 : large, 1);
  }
  return kept.length === 0 ? undefined : text();
}

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
    // Continued tracestates with a key only Level 2 allows, and with a repeated key dropped.
    let level2Keys = 0;
    let repeatedKeys = 0;
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
      // A restarted trace carries no tracestate of the caller's; a continued one what the rules say.
      const expectedState = expected ? oracleTracestate(sent.tracestate) : undefined;
      const stateOk = sent.outgoingState === expectedState;
      if (expected) continued++;
      if (expectedState !== undefined) {
        const keys = expectedState.split(',').map((member) => member.slice(0, member.indexOf('=')));
        if (keys.some((key) => !LEVEL_1_KEY.test(key))) level2Keys++;
        const sentKeys = (sent.tracestate ?? [])
          .join(',')
          .split(',')
          .map((member) => member.trim().split('=')[0])
          .filter((key) => key !== '');
        if (new Set(sentKeys).size < sentKeys.length) repeatedKeys++;
      }
      if (!ok || !stateOk) {
        const { index, traceparent, outgoing, outgoingState } = sent;
        wrong.push({
          index,
          traceparent,
          expected,
          outgoing,
          outgoingState,
          expectedState,
          tracestate: sent.tracestate?.join(',').slice(0, 300),
        });
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    // The generators must exercise both sides, plenty of each.
    expect(continued).toBeGreaterThan(REQUESTS / 10);
    expect(REQUESTS - continued).toBeGreaterThan(REQUESTS / 2);
    expect(results.filter((r) => r.outgoingState !== undefined).length).toBeGreaterThan(REQUESTS / 50);
    expect(level2Keys).toBeGreaterThan(REQUESTS / 100);
    expect(repeatedKeys).toBeGreaterThan(REQUESTS / 100);

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
