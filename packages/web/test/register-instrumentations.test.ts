import type { TracerProvider } from '@opentelemetry/api';
import { TracerProvider as SdkTracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { type Instrumentation, registerInstrumentations } from '../src/register-instrumentations.js';
import { captureDiagErrors } from './diag-errors.js';

const errors = captureDiagErrors();

/** An instrumentation that logs its calls; `config` is what getConfig returns (none: no getConfig). */
function recording(name: string, calls: string[], config?: { enabled?: boolean }, fails?: string) {
  const call = (method: string) => {
    calls.push(`${name}.${method}`);
    if (method === fails) throw new Error(`${name} ${method}`);
  };
  const instrumentation: Instrumentation = {
    instrumentationName: name,
    setTracerProvider: (provider: TracerProvider) => call(`setTracerProvider(${provider === sdk})`),
    enable: () => call('enable'),
    disable: () => call('disable'),
  };
  return config ? { ...instrumentation, getConfig: () => config } : instrumentation;
}

const sdk = new SdkTracerProvider();

describe('registerInstrumentations', () => {
  it('hands each the provider, then enables it unless it enabled itself (config enabled)', () => {
    const calls: string[] = [];
    const disable = registerInstrumentations(
      [
        recording('plain', calls),
        recording('self-enabled', calls, { enabled: true }),
        recording('deferred', calls, { enabled: false }),
      ],
      sdk,
    );
    expect(calls).toEqual([
      'plain.setTracerProvider(true)',
      'plain.enable',
      'self-enabled.setTracerProvider(true)',
      'deferred.setTracerProvider(true)',
      'deferred.enable',
    ]);
    calls.length = 0;
    disable();
    expect(calls).toEqual(['plain.disable', 'self-enabled.disable', 'deferred.disable']);
  });

  it('reports an instrumentation that throws and goes on with the others', () => {
    const calls: string[] = [];
    const disable = registerInstrumentations(
      [
        recording('bad-provider', calls, undefined, 'setTracerProvider(true)'),
        recording('bad-enable', calls, undefined, 'enable'),
        recording('bad-disable', calls, undefined, 'disable'),
        recording('good', calls),
      ],
      sdk,
    );
    disable();
    expect(calls.filter((call) => call.startsWith('good'))).toEqual([
      'good.setTracerProvider(true)',
      'good.enable',
      'good.disable',
    ]);
    expect(errors).toEqual([
      'clicktrace: instrumentation bad-provider failed to start',
      'clicktrace: instrumentation bad-enable failed to start',
      'clicktrace: instrumentation bad-disable failed to stop',
    ]);
  });
});
