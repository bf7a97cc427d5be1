import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/**
 * What a span costs besides its strings: trace, span and parent ids, start and end times, kind,
 * status code, flags, and the field names of its OTLP/JSON form. The resource and scope are shared
 * by every span of the process, so no span counts them.
 */
const SPAN_FIXED_BYTES = 200;
/** An event's or a link's own fields (time or ids, field names), besides its name and attributes. */
const ENTRY_FIXED_BYTES = 50;
/** One attribute's key/value wrapper in OTLP/JSON. */
const ATTRIBUTE_FIXED_BYTES = 20;
/** A number or boolean value. */
const SCALAR_BYTES = 8;

/**
 * A cheap estimate of a span's size for the export queue's byte cap: about its OTLP/JSON size.
 *
 * 200 bytes of fixed fields, plus one byte per character of every string the span carries (its
 * name, status message, attribute keys and string values, event names and their attributes, link
 * attributes), 8 per number or boolean, and 20 per attribute and 50 per event or link. One pass
 * over the attributes, no encoding: it runs for every span a server ends. A character counts one
 * byte, exact for ASCII and low for other scripts, which is fine for a cap that bounds memory
 * (a V8 string takes one or two bytes per character).
 */
export function estimateSpanBytes(span: ReadableSpan): number {
  let bytes = SPAN_FIXED_BYTES + span.name.length + (span.status.message?.length ?? 0);
  bytes += attributesBytes(span.attributes);
  for (const event of span.events) {
    bytes += ENTRY_FIXED_BYTES + event.name.length + attributesBytes(event.attributes);
  }
  for (const link of span.links) bytes += ENTRY_FIXED_BYTES + attributesBytes(link.attributes);
  return bytes;
}

function attributesBytes(attributes: Attributes | undefined): number {
  let bytes = 0;
  for (const key in attributes) {
    bytes += ATTRIBUTE_FIXED_BYTES + key.length + valueBytes(attributes[key]);
  }
  return bytes;
}

function valueBytes(value: AttributeValue | undefined): number {
  if (typeof value === 'string') return value.length;
  if (typeof value === 'number' || typeof value === 'boolean') return SCALAR_BYTES;
  if (Array.isArray(value)) {
    let bytes = 0;
    for (const item of value) bytes += typeof item === 'string' ? item.length : SCALAR_BYTES;
    return bytes;
  }
  return 0;
}
