export { TRACE_PROTOCOLS, tracesExport, type TraceProtocol, type TracesExport } from './settings.js';
export { startTracing, type Tracing, type TracingOptions } from './tracing.js';
