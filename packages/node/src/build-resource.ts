import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  processDetector,
  type Resource,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/**
 * SDK defaults, then host and process facts, then OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME
 * (read by the stock envDetector, which also lets OTEL_SERVICE_NAME win over a service.name in
 * OTEL_RESOURCE_ATTRIBUTES), then `serviceName` from code, which wins over all of them.
 */
export function buildResource(serviceName: string | undefined): Resource {
  const detected = detectResources({ detectors: [hostDetector, processDetector, envDetector] });
  const resource = defaultResource().merge(detected);
  return serviceName === undefined
    ? resource
    : resource.merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }));
}
