import type {
  Attributes,
  Context,
  HrTime,
  Link,
  Span,
  SpanContext,
  SpanKind,
  SpanStatus,
} from '@opentelemetry/api';

/**
 * A span processor of the user's: the `SpanProcessor` interface of the OpenTelemetry SDK
 * (@opentelemetry/sdk-trace 3, or sdk-trace-base 2), typed structurally with types that
 * @opentelemetry/api 1.9 has. The SDK 3 declarations reach `AnyValue`, new in api 1.10, and our
 * declaration file must compile against either API in our peer range.
 */
export interface SpanProcessor {
  onStart(span: Span, parentContext: Context): void;
  /** SDK 3: the span is ending and can still be changed. */
  onEnding?(span: Span): void;
  onEnd(span: ReadableSpan): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** An ended span as the SDK hands it to `onEnd`: its `ReadableSpan`, as both SDK lines have it. */
export interface ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly spanContext: () => SpanContext;
  readonly parentSpanContext?: SpanContext;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly duration: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: Link[];
  readonly events: ReadonlyArray<{
    readonly name: string;
    readonly time: HrTime;
    readonly attributes?: Attributes;
    readonly droppedAttributesCount?: number;
  }>;
  readonly ended: boolean;
  readonly resource: { readonly attributes: Attributes };
  readonly instrumentationScope: {
    readonly name: string;
    readonly version?: string;
    readonly schemaUrl?: string;
  };
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
}
