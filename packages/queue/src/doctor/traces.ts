import { tracesExport, type TracesExport } from '@agent-factory/telemetry';
import { describeError } from '../errors.js';
import { postBody } from '../post-body.js';
import { fail, figure, pass, type DoctorCheck } from './check.js';

const NAME = 'traces';
const FIX = 'set OTEL_EXPORTER_OTLP_ENDPOINT to an OTLP/HTTP collector, e.g. http://localhost:4318 (or unset it: no traces)';

/**
 * Where the workers would send their traces, and whether it takes them: an empty OTLP export (no
 * span) in the protocol they would use. Traces are optional, so unset passes.
 */
export async function tracesCheck(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<DoctorCheck> {
  let traces: TracesExport | undefined;
  try {
    traces = tracesExport(env);
  } catch (error) {
    return fail(NAME, describeError(error), FIX);
  }
  if (!traces) return pass(NAME, 'off: OTEL_EXPORTER_OTLP_ENDPOINT unset (or OTEL_SDK_DISABLED=true), workers make no traces');
  // Only the origin and path: collector URLs seldom carry secrets, but headers (OTEL_EXPORTER_OTLP_HEADERS) do and are never shown.
  const url = new URL(traces.url);
  const where = `${url.origin}${url.pathname} (${traces.protocol})`;
  const start = performance.now();
  try {
    // An empty ExportTraceServiceRequest: no bytes in protobuf.
    const answer = traces.protocol === 'http/json'
      ? await postBody(traces.url, '{"resourceSpans":[]}', { timeoutMs })
      : await postBody(traces.url, new Uint8Array(0), { timeoutMs, contentType: 'application/x-protobuf' });
    const ms = figure(Math.round(performance.now() - start));
    if (answer.ok) return pass(NAME, `OTLP/HTTP collector at ${where} took an empty export (${answer.status}) in ${ms} ms`);
    return fail(NAME, `OTLP/HTTP collector at ${where} answered ${answer.status}: workers' spans would be dropped`, FIX);
  } catch (error) {
    return fail(NAME, `OTLP/HTTP collector at ${where}: ${describeError(error)}`, FIX);
  }
}
