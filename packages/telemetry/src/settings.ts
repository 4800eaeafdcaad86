/** OTLP over HTTP, as the collector's port 4318 takes it. */
export const TRACE_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type TraceProtocol = (typeof TRACE_PROTOCOLS)[number];

/** Where a process sends its spans, and how. */
export interface TracesExport {
  url: string;
  protocol: TraceProtocol;
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

/** The first of the variables that is set, with its name: the traces-only one wins over the one for every signal. */
function firstSet(env: NodeJS.ProcessEnv, names: readonly string[]): [string, string] | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return [name, value];
  }
  return undefined;
}

/**
 * Where and how spans go, when the environment asks for traces, by OTLP's rules:
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, or `/v1/traces` under OTEL_EXPORTER_OTLP_ENDPOINT;
 * OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL, `http/protobuf` by default. OTEL_SDK_DISABLED=true turns
 * tracing off. A value that cannot work (no http(s) URL, gRPC) is an error naming its variable, at
 * start rather than at the first export.
 */
export function tracesExport(env: NodeJS.ProcessEnv = process.env): TracesExport | undefined {
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return undefined;
  const endpoint = firstSet(env, ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT']);
  if (!endpoint) return undefined;
  const [name, value] = endpoint;
  const url = name === 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' ? httpUrl(name, value) : `${httpUrl(name, value).replace(/\/+$/, '')}/v1/traces`;
  const protocol = firstSet(env, ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']);
  if (protocol && !(TRACE_PROTOCOLS as readonly string[]).includes(protocol[1])) {
    throw new Error(`${protocol[0]} must be ${TRACE_PROTOCOLS.join(' or ')} (OTLP over HTTP, the collector's port 4318), not "${protocol[1]}"`);
  }
  return { url, protocol: (protocol?.[1] as TraceProtocol | undefined) ?? 'http/protobuf' };
}
