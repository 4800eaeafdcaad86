import { tracesUrl } from '@agent-factory/telemetry';
import { describeError } from '../errors.js';
import { postJson } from '../post-json.js';
import { fail, figure, pass, type DoctorCheck } from './check.js';

const NAME = 'traces';
const FIX = 'set OTEL_EXPORTER_OTLP_ENDPOINT to an OTLP/HTTP collector, e.g. http://localhost:4318 (or unset it: no traces)';

/**
 * Where the workers would send their traces, and whether it takes them: an empty OTLP export (no
 * span), as the exporter sends one. Traces are optional, so unset passes.
 */
export async function tracesCheck(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<DoctorCheck> {
  let url: string | undefined;
  try {
    url = tracesUrl(env);
  } catch (error) {
    return fail(NAME, describeError(error), FIX);
  }
  if (!url) return pass(NAME, 'off: OTEL_EXPORTER_OTLP_ENDPOINT unset, workers make no traces');
  // Only the origin and path: collector URLs seldom carry secrets, but headers (OTEL_EXPORTER_OTLP_HEADERS) do and are never shown.
  const where = `${new URL(url).origin}${new URL(url).pathname}`;
  const start = performance.now();
  try {
    const answer = await postJson(url, JSON.stringify({ resourceSpans: [] }), { timeoutMs });
    const ms = figure(Math.round(performance.now() - start));
    if (answer.ok) return pass(NAME, `OTLP/HTTP collector at ${where} took an empty export (${answer.status}) in ${ms} ms`);
    return fail(NAME, `OTLP/HTTP collector at ${where} answered ${answer.status}: workers' spans would be dropped`, FIX);
  } catch (error) {
    return fail(NAME, `OTLP/HTTP collector at ${where}: ${describeError(error)}`, FIX);
  }
}
