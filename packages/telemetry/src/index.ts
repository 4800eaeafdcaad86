export { startTracing, tracesUrl, type Tracing, type TracingOptions } from './tracing.js';
