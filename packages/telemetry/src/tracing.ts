import type { Telemetry } from 'bullmq';

/** A process's tracing: BullMQ's telemetry for its queues and workers, and the flush on exit. */
export interface Tracing {
  /** Spans for every add and process of BullMQ, the trace context carried in each job's options. */
  telemetry: Telemetry;
  /** Exports the spans still buffered, then stops; call it after the workers closed. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Where spans go (see tracesUrl); none: no tracing. */
  url: string | undefined;
  /** `service.name` of the spans, unless OTEL_SERVICE_NAME says otherwise. */
  serviceName: string;
  /** Version of the service, on every span's resource. */
  serviceVersion?: string;
  env?: NodeJS.ProcessEnv;
}

function httpUrl(name: string, text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    // reported below
  }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') throw new Error(`${name} must be an http(s) URL (an OTLP/HTTP collector), not "${text}"`);
  return text;
}

/**
 * Where spans go, when the environment asks for traces: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given,
 * or `/v1/traces` under OTEL_EXPORTER_OTLP_ENDPOINT (OTLP's rules). A value that is no http(s) URL
 * is an error naming its variable, at start rather than at the first export.
 */
export function tracesUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const traces = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
  if (traces) return httpUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', traces);
  const all = env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  return all ? `${httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT', all).replace(/\/+$/, '')}/v1/traces` : undefined;
}

/**
 * Starts OpenTelemetry tracing when there is somewhere to send spans, else nothing (undefined): the SDK is
 * loaded only then, so a process without traces pays neither its memory nor a span per job.
 * Spans go out in batches over OTLP/HTTP (JSON); the SDK's own variables in process.env apply (OTEL_EXPORTER_OTLP_HEADERS,
 * OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG to keep a share of the traces, OTEL_BSP_*).
 */
export async function startTracing(options: TracingOptions): Promise<Tracing | undefined> {
  const { url } = options;
  if (!url) return undefined;
  const env = options.env ?? process.env;
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }, { BullMQOtel }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('bullmq-otel'),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': env['OTEL_SERVICE_NAME'] || options.serviceName,
      ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}),
    }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
  });
  // The global tracer provider, AsyncLocalStorage context and W3C propagation: what bullmq-otel and @opentelemetry/api use.
  provider.register();
  return {
    telemetry: new BullMQOtel({ tracerName: 'agent-factory', ...(options.serviceVersion ? { version: options.serviceVersion } : {}) }),
    shutdown: () => provider.shutdown(),
  };
}
