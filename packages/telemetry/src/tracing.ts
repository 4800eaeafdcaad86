import type { Telemetry } from 'bullmq';
import type { TracesExport } from './settings.js';

/** A process's tracing: BullMQ's telemetry for its queues and workers, and the flush on exit. */
export interface Tracing {
  /** Spans for every add and process of BullMQ, the trace context carried in each job's options. */
  telemetry: Telemetry;
  /** Exports the spans still buffered, then stops; call it after the workers closed. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Where and how spans go (see tracesExport); none: no tracing. */
  traces: TracesExport | undefined;
  /** `service.name` of the spans, unless OTEL_SERVICE_NAME (or OTEL_RESOURCE_ATTRIBUTES) says otherwise. */
  serviceName: string;
  /** Version of the service, on every span's resource. */
  serviceVersion?: string;
}

/**
 * Starts OpenTelemetry tracing when there is somewhere to send spans, else nothing (undefined): the SDK is
 * loaded only then, so a process without traces pays neither its memory nor a span per job.
 * Spans go out in batches over OTLP/HTTP, their resource naming the service, the host and the process
 * (which worker ran a job); the SDK's own variables in process.env apply (OTEL_SERVICE_NAME,
 * OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_SAMPLER and _ARG to keep a share
 * of the traces, OTEL_BSP_*).
 */
export async function startTracing(options: TracingOptions): Promise<Tracing | undefined> {
  const { traces } = options;
  if (!traces) return undefined;
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, resources, { BullMQOtel }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    // The same exporter, in protobuf or JSON.
    traces.protocol === 'http/json' ? import('@opentelemetry/exporter-trace-otlp-http') : import('@opentelemetry/exporter-trace-otlp-proto'),
    import('@opentelemetry/resources'),
    import('bullmq-otel'),
  ]);
  const { defaultResource, detectResources, envDetector, hostDetector, processDetector, resourceFromAttributes } = resources;
  const own = resourceFromAttributes({ 'service.name': options.serviceName, ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}) });
  // Later merges win: the environment's attributes over ours, ours over the SDK's defaults.
  const detected = detectResources({ detectors: [hostDetector, processDetector, envDetector] });
  const provider = new NodeTracerProvider({
    resource: defaultResource().merge(own).merge(detected),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: traces.url }))],
  });
  // The global tracer provider, AsyncLocalStorage context and W3C propagation: what bullmq-otel and @opentelemetry/api use.
  provider.register();
  return {
    telemetry: new BullMQOtel({ tracerName: 'agent-factory', ...(options.serviceVersion ? { version: options.serviceVersion } : {}) }),
    shutdown: () => provider.shutdown(),
  };
}
