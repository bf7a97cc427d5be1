import {
  type Context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type SpanContext,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import {
  TraceState as CoreTraceState,
  W3CTraceContextPropagator as CoreW3CPropagator,
} from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import {
  MAX_TRACESTATE_LENGTH,
  parseTraceparent,
  parseTracestate,
  W3CTraceContextPropagator,
  W3CTraceState,
} from '../src/w3c-trace-context-propagator.js';

// Test vectors are the W3C conformance suite's (w3c/trace-context test/test.py, SPEC_LEVEL 2) and the
// spec's own examples (https://www.w3.org/TR/trace-context/, https://www.w3.org/TR/trace-context-2/),
// named after the case they come from.
const TRACE_ID = '12345678901234567890123456789012';
const SPAN_ID = '1234567890123456';
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;

const ours = new W3CTraceContextPropagator();
const core = new CoreW3CPropagator();

/** Extracts from plain headers (as node:http gives them: names lowercased, duplicates joined). */
function extract(
  propagator: { extract(c: Context, carrier: unknown, g: typeof defaultTextMapGetter): Context },
  headers: Record<string, string | string[]>,
): SpanContext | undefined {
  return trace.getSpanContext(propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));
}

function inject(
  propagator: { inject(c: Context, carrier: unknown, s: typeof defaultTextMapSetter): void },
  context: Context,
): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagator.inject(context, carrier, defaultTextMapSetter);
  return carrier;
}

describe('parseTraceparent(): https://www.w3.org/TR/trace-context/#traceparent-header', () => {
  it('parses the spec examples, sampled and not sampled', () => {
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual({
      version: '00',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
    });
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00')?.traceFlags).toBe(0);
  });

  it.each([
    ['extra trailing characters on version 00', `${VALID}.`],
    ['extra fields on version 00', `${VALID}-what-the-future-will-be-like`],
    ['version ff', `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ['illegal characters in version', `.0-${TRACE_ID}-${SPAN_ID}-01`],
    ['illegal characters in version (2)', `0.-${TRACE_ID}-${SPAN_ID}-01`],
    ['version too long', `000-${TRACE_ID}-${SPAN_ID}-01`],
    ['version too long (2)', `0000-${TRACE_ID}-${SPAN_ID}-01`],
    ['version too short', `0-${TRACE_ID}-${SPAN_ID}-01`],
    ['all-zero trace-id', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['illegal characters in trace-id', `00-.2345678901234567890123456789012-${SPAN_ID}-01`],
    ['illegal characters in trace-id (2)', `00-1234567890123456789012345678901.-${SPAN_ID}-01`],
    ['trace-id too long', `00-123456789012345678901234567890123-${SPAN_ID}-01`],
    ['trace-id too short', `00-1234567890123456789012345678901-${SPAN_ID}-01`],
    ['all-zero parent-id', `00-${TRACE_ID}-0000000000000000-01`],
    ['illegal characters in parent-id', `00-${TRACE_ID}-.234567890123456-01`],
    ['illegal characters in parent-id (2)', `00-${TRACE_ID}-123456789012345.-01`],
    ['parent-id too long', `00-${TRACE_ID}-12345678901234567-01`],
    ['parent-id too short', `00-${TRACE_ID}-123456789012345-01`],
    ['illegal characters in trace-flags', `00-${TRACE_ID}-${SPAN_ID}-.0`],
    ['illegal characters in trace-flags (2)', `00-${TRACE_ID}-${SPAN_ID}-0.`],
    ['trace-flags too long', `00-${TRACE_ID}-${SPAN_ID}-001`],
    ['trace-flags too short', `00-${TRACE_ID}-${SPAN_ID}-1`],
    ['uppercase trace-id (HEXDIGLC)', `00-${'ABCDEF'.padEnd(32, '1')}-${SPAN_ID}-01`],
    ['uppercase parent-id (HEXDIGLC)', `00-${TRACE_ID}-${'ABCDEF'.padEnd(16, '1')}-01`],
    ['uppercase version', `0A-${TRACE_ID}-${SPAN_ID}-01`],
    ['uppercase flags', `00-${TRACE_ID}-${SPAN_ID}-0B`],
    ['future version shorter than 55 characters', `cc-${TRACE_ID}-${SPAN_ID}-1`],
    [
      'future version with garbage after the flags',
      `cc-${TRACE_ID}-${SPAN_ID}-01.what-the-future-will-be-like`,
    ],
    ['future version with all-zero ids', `cc-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['empty', ''],
    ['only whitespace', ' \t '],
  ])('is invalid with %s', (_case, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it('parses a future version by the version 00 prefix rules (test_traceparent_version_0xcc)', () => {
    for (const header of [
      `cc-${TRACE_ID}-${SPAN_ID}-01`,
      `cc-${TRACE_ID}-${SPAN_ID}-01-what-the-future-will-be-like`,
      `01-${TRACE_ID}-${SPAN_ID}-00-`,
    ]) {
      expect(parseTraceparent(header)).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID });
    }
  });

  it('trims optional whitespace, spaces and tabs only (test_traceparent_ows_handling)', () => {
    for (const header of [
      ` ${VALID}`,
      `\t${VALID}`,
      `${VALID} `,
      `${VALID}\t`,
      `\t ${VALID} \t`,
      `  \t\t${VALID}`,
    ]) {
      expect(parseTraceparent(header)?.traceId).toBe(TRACE_ID);
    }
    for (const notOws of ['\n', '\r', '\u00a0', '\ufeff', '\v', '\f']) {
      expect(parseTraceparent(`${notOws}${VALID}`)).toBeUndefined();
    }
  });

  it('is invalid when the header came more than once (test_traceparent_duplicated)', () => {
    const other = `00-${TRACE_ID.replace('1', 'a')}-${SPAN_ID}-01`;
    expect(parseTraceparent([VALID, other])).toBeUndefined();
    expect(parseTraceparent([VALID, VALID])).toBeUndefined();
    expect(parseTraceparent(`${VALID}, ${other}`)).toBeUndefined();
    expect(parseTraceparent(`cc-${TRACE_ID}-${SPAN_ID}-01-x, cc-${TRACE_ID}-${SPAN_ID}-01`)).toBeUndefined();
    expect(parseTraceparent([VALID])?.traceId).toBe(TRACE_ID);
  });

  it('keeps the sampled and random flags and drops the bits no spec defines', () => {
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-03`)?.traceFlags).toBe(3);
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-02`)?.traceFlags).toBe(2);
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-09`)?.traceFlags).toBe(1);
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-ff`)?.traceFlags).toBe(3);
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-fc`)?.traceFlags).toBe(0);
  });

  it('never throws, whatever it is given', () => {
    for (const junk of [undefined, null, 42, {}, [], [undefined], Symbol('x'), 'x'.repeat(100_000)]) {
      expect(() => parseTraceparent(junk)).not.toThrow();
      expect(parseTraceparent(junk)).toBeUndefined();
    }
  });
});

describe('parseTracestate(): https://www.w3.org/TR/trace-context-2/#tracestate-header', () => {
  const keys = (value: unknown) => {
    const state = parseTracestate(value);
    return state
      ?.serialize()
      .split(',')
      .map((member) => member.split('=')[0]);
  };

  it('keeps the members in order, across several header fields (test_tracestate_multiple_headers_different_keys)', () => {
    expect(parseTracestate(['foo=1,bar=2', 'rojo=1,congo=2', 'baz=3'])?.serialize()).toBe(
      'foo=1,bar=2,rojo=1,congo=2,baz=3',
    );
    expect(parseTracestate('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')?.get('congo')).toBe('t61rcWkgMzE');
  });

  it('accepts every allowed character, with and without a tenant (test_tracestate_all_allowed_characters)', () => {
    const key = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/@';
    const vendorKey = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/@a-z0-9_-*/';
    const value = [
      ...Array.from({ length: 0x2b - 0x20 + 1 }, (_, i) => 0x20 + i),
      ...Array.from({ length: 0x3c - 0x2d + 1 }, (_, i) => 0x2d + i),
      ...Array.from({ length: 0x7e - 0x3e + 1 }, (_, i) => 0x3e + i),
    ]
      .map((code) => String.fromCharCode(code))
      .join('');
    expect(parseTracestate(`${key}=${value}`)?.get(key)).toBe(value);
    expect(parseTracestate(`${vendorKey}=${value}`)?.get(vendorKey)).toBe(value);
  });

  it('ignores OWS around members and empty members, keeps leading spaces of a value (test_tracestate_ows_handling)', () => {
    expect(parseTracestate('foo=1 \t , \t bar=2, \t baz=3')?.serialize()).toBe('foo=1,bar=2,baz=3');
    expect(parseTracestate('foo=1\t \t,\t \tbar=2,\t \tbaz=3')?.serialize()).toBe('foo=1,bar=2,baz=3');
    expect(parseTracestate('\t foo=1 \t')?.get('foo')).toBe('1');
    expect(parseTracestate(',, ,foo=1,\t,')?.serialize()).toBe('foo=1');
    expect(parseTracestate('foo=  1')?.get('foo')).toBe('  1');
  });

  it('treats an empty header as no tracestate (test_tracestate_empty_header)', () => {
    expect(parseTracestate('')).toBeUndefined();
    expect(parseTracestate(['foo=1', ''])?.serialize()).toBe('foo=1');
    expect(parseTracestate(['', 'foo=1'])?.serialize()).toBe('foo=1');
  });

  it.each([
    ['a space inside the key', 'foo =1'],
    ['an uppercase key', 'FOO=1'],
    ['a dot in the key', 'foo.bar=1'],
    ['an at sign first', '@foo=1,bar=2'],
    ['an at sign first, then a valid key', '@=1,bar=2'],
    ['an underscore first', '_foo=1,bar=2'],
    ['a dash first', '-foo=1,bar=2'],
    ['a slash first', '/foo=1,bar=2'],
    ['an asterisk first', '*foo=1,bar=2'],
    ['a key of 257 characters', ['foo=1', `${'z'.repeat(257)}=1`]],
    ['a key of 257 characters with a tenant', ['foo=1', `${'t'.repeat(242)}@${'v'.repeat(14)}=1`]],
    ['an equals sign in the value', 'foo=bar=baz'],
    ['an empty value', 'foo=,bar=3'],
    ['a value of 257 characters', `foo=${'v'.repeat(257)}`],
    ['a tab inside the value', 'foo=a\tb'],
    ['a non-ASCII value', 'foo=caf\u00e9'],
    ['a member without "="', 'foo,bar=1'],
    ['a repeated key whose second value is invalid', 'foo=1,foo='],
    [
      '33 members',
      Array.from({ length: 33 }, (_, i) => `bar${String(i + 1).padStart(2, '0')}=${i}`).join(','),
    ],
    [
      '33 members, two of them the same key (the limit counts the list as received)',
      [
        ...Array.from({ length: 32 }, (_, i) => `bar${String(i + 1).padStart(2, '0')}=${i}`),
        'bar01=again',
      ].join(','),
    ],
  ])('discards the whole header for %s (strict conformance)', (_case, header) => {
    expect(parseTracestate(header)).toBeUndefined();
  });

  it.each([
    ['an at sign last', 'foo@'],
    ['two at signs', 'foo@@bar'],
    ['two tenants', 'foo@bar@baz'],
    ['a system-id of 15 characters', `t@${'v'.repeat(15)}`],
    ['a system-id starting with a digit', 't@1v'],
    ['a tenant-id of 242 characters', `${'t'.repeat(242)}@v`],
    ['256 characters with an at sign', `${'t'.repeat(241)}@${'v'.repeat(14)}`],
    ['256 characters', 'z'.repeat(256)],
    ['a digit first', '0tenant@dt'],
    ['a digit first, no tenant', '0foo'],
    ['one character', 'z'],
  ])(
    'propagates a Level 2 key with %s, and the members around it (test_tracestate_key_length_limit, _key_illegal_vendor_format)',
    (_case, key) => {
      expect(parseTracestate(`foo=1,${key}=2,bar=3`)?.serialize()).toBe(`foo=1,${key}=2,bar=3`);
      expect(parseTracestate(['foo=1', `${key}=2`])?.get(key)).toBe('2');
    },
  );

  it.each([
    ['the same value twice', 'foo=1,foo=1', 'foo=1'],
    ['two values', 'foo=1,foo=2', 'foo=1'],
    ['two header fields, the same value', ['foo=1', 'foo=1'], 'foo=1'],
    ['two header fields, two values', ['foo=1', 'foo=2'], 'foo=1'],
    ['other keys between', 'congo=second,rojo=r1,congo=first,bar=2', 'congo=second,rojo=r1,bar=2'],
    ['several keys, several times', 'a=1,b=2,a=3,c=4,b=5,a=6', 'a=1,b=2,c=4'],
    ['a Level 2 key', 'foo@=1,bar=2,foo@=3', 'foo@=1,bar=2'],
    ['OWS around the repeats', 'foo=1 ,\t foo=2 , bar=3', 'foo=1,bar=3'],
  ])(
    'keeps the left-most entry of a repeated key, where it stands, and the header (test_tracestate_duplicated_keys): %s',
    (_case, header, kept) => {
      expect(parseTracestate(header)?.serialize()).toBe(kept);
    },
  );

  it('accepts 32 members, key length limits exactly at the edge (test_tracestate_member_count_limit, _key_length_limit)', () => {
    const members = Array.from({ length: 32 }, (_, i) => `bar${String(i + 1).padStart(2, '0')}=${i}`);
    expect(keys(members.join(','))).toHaveLength(32);
    expect(parseTracestate(['foo=1', `${'z'.repeat(256)}=1`])?.get('foo')).toBe('1');
    expect(parseTracestate(['foo=1', `${'t'.repeat(241)}@${'v'.repeat(14)}=1`])?.get('foo')).toBe('1');
    expect(parseTracestate('0tenant@dt=1')?.get('0tenant@dt')).toBe('1');
    expect(parseTracestate(`foo=${'v'.repeat(256)}`)?.get('foo')).toHaveLength(256);
  });

  it('counts a repeated key towards the 32 members, then sends it once', () => {
    const members = Array.from({ length: 31 }, (_, i) => `bar${String(i + 1).padStart(2, '0')}=${i}`);
    const state = parseTracestate([...members, 'bar01=again'].join(','));
    expect(keys(state?.serialize())).toHaveLength(31);
    expect(state?.get('bar01')).toBe('0');
  });

  it('keeps at least 512 characters, dropping entries over 128 characters first, then from the end', () => {
    // 4 entries of 120 characters (+ 3 commas) = 483; a 200-character one in the middle pushes it over.
    const entry = (key: string, size: number) => `${key}=${'v'.repeat(size - key.length - 1)}`;
    const small = ['a1', 'a2', 'a3', 'a4'].map((key) => entry(key, 120));
    const header = [small[0], small[1], entry('big', 200), small[2], small[3]].join(',');
    const kept = parseTracestate(header);
    expect(keys(header)).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(kept?.serialize().length).toBe(483);

    // Without large entries, the right-most are dropped until it fits.
    const five = ['b1', 'b2', 'b3', 'b4', 'b5'].map((key) => entry(key, 120)).join(',');
    expect(keys(five)).toEqual(['b1', 'b2', 'b3', 'b4']);

    // Exactly 512 is propagated whole.
    const exact = [entry('c1', 128), entry('c2', 128), entry('c3', 128), entry('c4', 125)].join(',');
    expect(exact.length).toBe(MAX_TRACESTATE_LENGTH);
    expect(parseTracestate(exact)?.serialize()).toBe(exact);
  });

  it('measures the 512 characters after dropping repeated keys', () => {
    const entry = (key: string, size: number) => `${key}=${'v'.repeat(size - key.length - 1)}`;
    // 5 entries of 120 characters = 604 as received; without the repeated d1, 4 of them = 483.
    const header = [entry('d1', 120), entry('d1', 120), entry('d2', 120), entry('d3', 120), entry('d4', 120)];
    expect(header.join(',').length).toBeGreaterThan(MAX_TRACESTATE_LENGTH);
    expect(keys(header.join(','))).toEqual(['d1', 'd2', 'd3', 'd4']);
    // A repeated large entry is one entry: 674 characters as received, 473 sent, nothing truncated;
    // with one more entry (564) the large one goes first, once.
    const large = [entry('big', 200), entry('e1', 90), entry('big', 200), entry('e2', 90), entry('e3', 90)];
    expect(keys(large.join(','))).toEqual(['big', 'e1', 'e2', 'e3']);
    expect(parseTracestate(large.join(','))?.serialize().length).toBe(473);
    const over = [...large, entry('e4', 90)].join(',');
    expect(keys(over)).toEqual(['e1', 'e2', 'e3', 'e4']);
  });

  it('W3CTraceState.set puts new and updated keys first and ignores invalid ones', () => {
    const state = new W3CTraceState([
      ['rojo', '00f067aa0ba902b7'],
      ['congo', 't61rcWkgMzE'],
    ]);
    expect(state.set('congo', 'ucfJifl5GOE').serialize()).toBe('congo=ucfJifl5GOE,rojo=00f067aa0ba902b7');
    expect(state.set('new', '1').serialize()).toBe('new=1,rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    expect(state.set('Bad', '1')).toBe(state);
    expect(state.set('@lead', '1')).toBe(state);
    expect(state.set('ok', 'a,b')).toBe(state);
    expect(state.set('congo@', '1').serialize()).toBe('congo@=1,rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    expect(state.set('rojo', '1').set('rojo', '2').serialize()).toBe('rojo=2,congo=t61rcWkgMzE');
    expect(state.unset('rojo').serialize()).toBe('congo=t61rcWkgMzE');
  });
});

describe('W3CTraceContextPropagator', () => {
  it('extracts a remote span context with its tracestate, and never throws', () => {
    const extracted = extract(ours, { traceparent: VALID, tracestate: 'foo=1' });
    expect(extracted).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, isRemote: true });
    expect(extracted?.traceState?.get('foo')).toBe('1');

    const throwingGetter = {
      get: () => {
        throw new Error('boom');
      },
      keys: () => [],
    };
    expect(ours.extract(ROOT_CONTEXT, {}, throwingGetter)).toBe(ROOT_CONTEXT);
    expect(() =>
      ours.inject(trace.setSpanContext(ROOT_CONTEXT, extracted as SpanContext), null, defaultTextMapSetter),
    ).not.toThrow();
  });

  it('returns the context unchanged on an invalid traceparent, and then ignores tracestate', () => {
    const before = ROOT_CONTEXT.setValue(Symbol('mine'), 1);
    const after = ours.extract(
      before,
      { traceparent: `ff-${TRACE_ID}-${SPAN_ID}-01`, tracestate: 'foo=1' },
      defaultTextMapGetter,
    );
    expect(after).toBe(before);
  });

  it('keeps the traceparent when only the tracestate is invalid', () => {
    const extracted = extract(ours, { traceparent: VALID, tracestate: 'foo=1,@bar=2' });
    expect(extracted?.traceId).toBe(TRACE_ID);
    expect(extracted?.traceState).toBeUndefined();
  });

  it('continues the trace with its tracestate when keys repeat, one entry each (test_tracestate_duplicated_keys)', () => {
    for (const tracestate of ['foo=1,foo=1', 'foo=1,foo=2', ['foo=1', 'foo=1'], ['foo=1', 'foo=2']]) {
      const extracted = extract(ours, { traceparent: VALID, tracestate });
      expect(extracted?.traceId).toBe(TRACE_ID);
      const out = inject(ours, trace.setSpanContext(ROOT_CONTEXT, extracted as SpanContext));
      expect(out.tracestate, JSON.stringify(tracestate)).toBe('foo=1');
    }
  });

  it('continues the trace with Level 2 keys in its tracestate (test_tracestate_key_illegal_vendor_format at level 2)', () => {
    const tracestate = `foo@=1,foo@@bar=2,foo@bar@baz=3,${'t'.repeat(241)}@${'v'.repeat(14)}=4,t@${'v'.repeat(15)}=5`;
    const extracted = extract(ours, { traceparent: VALID, tracestate });
    const out = inject(ours, trace.setSpanContext(ROOT_CONTEXT, extracted as SpanContext));
    expect(out.tracestate).toBe(tracestate);
  });

  it('answers a future version with version 00 and only the fields it knows', () => {
    const extracted = extract(ours, { traceparent: `cc-${TRACE_ID}-${SPAN_ID}-ff-future` });
    const out = inject(ours, trace.setSpanContext(ROOT_CONTEXT, extracted as SpanContext));
    expect(out.traceparent).toBe(`00-${TRACE_ID}-${SPAN_ID}-03`);
  });

  it('injects nothing for an invalid or suppressed span context', () => {
    expect(inject(ours, ROOT_CONTEXT)).toEqual({});
    const invalid = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0'.repeat(32),
      spanId: SPAN_ID,
      traceFlags: 1,
    });
    expect(inject(ours, invalid)).toEqual({});
  });

  it('names its fields', () => {
    expect(ours.fields()).toEqual(['traceparent', 'tracestate']);
  });
});

describe('the random-trace-id flag (https://www.w3.org/TR/trace-context-2/#random-trace-id-flag), with real spans', () => {
  const provider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter: new InMemorySpanExporter() })],
  });
  const tracer = provider.getTracer('test');
  const flagsOf = (carrier: Record<string, string>) => carrier.traceparent?.slice(53);

  it('is set on a trace this process starts', () => {
    const root = tracer.startSpan('root', {}, ROOT_CONTEXT);
    const child = tracer.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, root));
    expect(flagsOf(inject(ours, trace.setSpan(ROOT_CONTEXT, child)))).toBe('03');
  });

  it('is kept on a trace continued from a caller that set it, through the server span and its children', () => {
    const extracted = ours.extract(
      ROOT_CONTEXT,
      { traceparent: `00-${TRACE_ID}-${SPAN_ID}-03` },
      defaultTextMapGetter,
    );
    const server = tracer.startSpan('server', {}, extracted);
    const serverContext = trace.setSpan(extracted, server);
    const client = tracer.startSpan('client', {}, serverContext);
    const out = inject(ours, trace.setSpan(serverContext, client));
    expect(out.traceparent).toBe(`00-${TRACE_ID}-${client.spanContext().spanId}-03`);
  });

  it('is not claimed on a trace continued from a caller that did not set it', () => {
    const extracted = ours.extract(ROOT_CONTEXT, { traceparent: VALID }, defaultTextMapGetter);
    const server = tracer.startSpan('server', {}, extracted);
    expect(flagsOf(inject(ours, trace.setSpan(extracted, server)))).toBe('01');
  });

  it('is set on a new root started inside a continued trace (a different trace id)', () => {
    const extracted = ours.extract(ROOT_CONTEXT, { traceparent: VALID }, defaultTextMapGetter);
    const root = tracer.startSpan('own root', { root: true }, extracted);
    expect(flagsOf(inject(ours, trace.setSpan(extracted, root)))).toBe('03');
  });

  it('is passed through unchanged when the extracted context is injected as is (a proxy)', () => {
    for (const flags of ['00', '01', '02', '03']) {
      const extracted = ours.extract(
        ROOT_CONTEXT,
        { traceparent: `00-${TRACE_ID}-${SPAN_ID}-${flags}` },
        defaultTextMapGetter,
      );
      expect(flagsOf(inject(ours, extracted))).toBe(flags);
    }
  });

  it('can be turned off for an IdGenerator that is not random', () => {
    const plain = new W3CTraceContextPropagator({ randomTraceIds: false });
    const root = tracer.startSpan('root', {}, ROOT_CONTEXT);
    expect(flagsOf(inject(plain, trace.setSpan(ROOT_CONTEXT, root)))).toBe('01');
  });
});

// Each difference between @opentelemetry/core 3.1's W3CTraceContextPropagator / TraceState and
// the spec that we found, shown side by side: what core does today (so this list goes stale
// visibly when core changes), then ours, which is what the test is for.
describe('differences from @opentelemetry/core', () => {
  it('1. duplicated traceparent headers: core continues the first one, we restart', () => {
    const other = `00-${'a'.repeat(32)}-${SPAN_ID}-01`;
    expect(extract(core, { traceparent: [VALID, other] })?.traceId).toBe(TRACE_ID);
    expect(extract(ours, { traceparent: [VALID, other] })).toBeUndefined();
  });

  it('2. whitespace: core takes any one \\s (NBSP, BOM, newline) but not two OWS; we take OWS (SP/HTAB) only, any amount', () => {
    expect(extract(core, { traceparent: `\u00a0${VALID}` })?.traceId).toBe(TRACE_ID);
    expect(extract(ours, { traceparent: `\u00a0${VALID}` })).toBeUndefined();
    expect(extract(core, { traceparent: `\t ${VALID} \t` })).toBeUndefined();
    expect(extract(ours, { traceparent: `\t ${VALID} \t` })?.traceId).toBe(TRACE_ID);
  });

  it('3. unknown flag bits: core keeps them and injects a malformed 3-digit flags field; we send only known bits', () => {
    const fromCore = trace.setSpanContext(
      ROOT_CONTEXT,
      extract(core, { traceparent: `00-${TRACE_ID}-${SPAN_ID}-ff` }) as SpanContext,
    );
    expect(inject(core, fromCore).traceparent).toBe(`00-${TRACE_ID}-${SPAN_ID}-0ff`);
    expect(parseTraceparent(inject(core, fromCore).traceparent)).toBeUndefined();

    const fromOurs = ours.extract(
      ROOT_CONTEXT,
      { traceparent: `00-${TRACE_ID}-${SPAN_ID}-ff` },
      defaultTextMapGetter,
    );
    expect(inject(ours, fromOurs).traceparent).toBe(`00-${TRACE_ID}-${SPAN_ID}-03`);
  });

  it('4. the random flag: core never sets it on traces started here, and loses it on continued ones', () => {
    const provider = new TracerProvider();
    const tracer = provider.getTracer('test');
    const root = tracer.startSpan('root', {}, ROOT_CONTEXT);
    expect(inject(core, trace.setSpan(ROOT_CONTEXT, root)).traceparent?.slice(53)).toBe('01');
    expect(inject(ours, trace.setSpan(ROOT_CONTEXT, root)).traceparent?.slice(53)).toBe('03');

    const coreContext = core.extract(
      ROOT_CONTEXT,
      { traceparent: `00-${TRACE_ID}-${SPAN_ID}-03` },
      defaultTextMapGetter,
    );
    const coreServer = tracer.startSpan('server', {}, coreContext);
    expect(inject(core, trace.setSpan(coreContext, coreServer)).traceparent?.slice(53)).toBe('01');
    const ourContext = ours.extract(
      ROOT_CONTEXT,
      { traceparent: `00-${TRACE_ID}-${SPAN_ID}-03` },
      defaultTextMapGetter,
    );
    const ourServer = tracer.startSpan('server', {}, ourContext);
    expect(inject(ours, trace.setSpan(ourContext, ourServer)).traceparent?.slice(53)).toBe('03');
  });

  it('5. repeated tracestate keys: core keeps the right-most value at the left-most place, we keep the left-most entry where it stands', () => {
    expect(new CoreTraceState('foo=1,bar=2,foo=3').serialize()).toBe('foo=3,bar=2');
    expect(parseTracestate('foo=1,bar=2,foo=3')?.serialize()).toBe('foo=1,bar=2');
    const twoFields = { traceparent: VALID, tracestate: ['foo=1', 'foo=2'] };
    expect(extract(core, twoFields)?.traceState?.serialize()).toBe('foo=2');
    expect(extract(ours, twoFields)?.traceState?.serialize()).toBe('foo=1');
  });

  it('6. 33 members: core keeps 32 of them, we discard the header (test_tracestate_member_count_limit)', () => {
    const header = Array.from({ length: 33 }, (_, i) => `bar${String(i + 1).padStart(2, '0')}=${i}`).join(
      ',',
    );
    expect(new CoreTraceState(header).get('bar01')).toBe('0');
    expect(parseTracestate(header)).toBeUndefined();
  });

  it('7. invalid members: core drops just those and keeps the rest, we discard the header (test_tracestate_key_illegal_characters)', () => {
    expect(new CoreTraceState('@foo=1,bar=2').get('bar')).toBe('2');
    expect(parseTracestate('@foo=1,bar=2')).toBeUndefined();
    expect(new CoreTraceState('foo=,bar=3').get('bar')).toBe('3');
    expect(parseTracestate('foo=,bar=3')).toBeUndefined();
  });

  it('8. over 512 characters: core skips whichever member crosses the limit, we drop entries over 128 characters first', () => {
    const entry = (key: string, size: number) => `${key}=${'v'.repeat(size - key.length - 1)}`;
    const header = [
      entry('a1', 120),
      entry('big', 200),
      entry('a2', 120),
      entry('a3', 120),
      entry('a4', 120),
    ].join(',');
    expect(new CoreTraceState(header).serialize()).toContain('big=');
    expect(new CoreTraceState(header).get('a4')).toBeUndefined();
    expect(parseTracestate(header)?.serialize()).toBe(
      [entry('a1', 120), entry('a2', 120), entry('a3', 120), entry('a4', 120)].join(','),
    );
  });

  it('9. an empty tracestate: core sends "tracestate: ", we send none ("SHOULD avoid sending them")', () => {
    const context = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: TraceFlags.SAMPLED,
      traceState: new CoreTraceState(''),
    });
    expect(inject(core, context)).toHaveProperty('tracestate', '');
    expect(inject(ours, context)).not.toHaveProperty('tracestate');
  });

  it.each(['foo@', 'foo@@bar', 'foo@bar@baz', `t@${'v'.repeat(15)}`, 't@1v', `${'t'.repeat(242)}@v`])(
    '11. the Level 2 key %s: core checks the Level 1 grammar and drops the member, we propagate it',
    (key) => {
      const header = `${key}=1,bar=2`;
      expect(new CoreTraceState(header).serialize()).toBe('bar=2');
      expect(parseTracestate(header)?.serialize()).toBe(header);
      expect(extract(core, { traceparent: VALID, tracestate: header })?.traceState?.get(key)).toBeUndefined();
      expect(extract(ours, { traceparent: VALID, tracestate: header })?.traceState?.get(key)).toBe('1');
    },
  );

  it('10. a comma-joined duplicate of a future-version traceparent: core continues it, we restart', () => {
    const joined = `cc-${TRACE_ID}-${SPAN_ID}-01-x, cc-${'a'.repeat(32)}-${SPAN_ID}-01`;
    expect(extract(core, { traceparent: joined })?.traceId).toBe(TRACE_ID);
    expect(extract(ours, { traceparent: joined })).toBeUndefined();
  });

  it('agrees with core on the rest: future versions, version ff, 00 with extra fields, zero ids, uppercase hex', () => {
    for (const header of [
      `cc-${TRACE_ID}-${SPAN_ID}-01-what-the-future-will-be-like`,
      `ff-${TRACE_ID}-${SPAN_ID}-01`,
      `${VALID}-extra`,
      `00-${'0'.repeat(32)}-${SPAN_ID}-01`,
      `00-${TRACE_ID.toUpperCase().replace(/1/g, 'A')}-${SPAN_ID}-01`,
      VALID,
    ]) {
      expect(extract(ours, { traceparent: header })?.traceId, header).toBe(
        extract(core, { traceparent: header })?.traceId,
      );
    }
  });
});
