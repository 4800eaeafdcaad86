import type { GenerationResult } from '@agent-factory/core';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Attributes, type Span } from '@opentelemetry/api';
import type { StageJobData } from './queues.js';
import type { Stage } from './stages.js';

/**
 * Names the requirement on the running stage job's span (BullMQ's `process` span), so a
 * requirement's trace is found by its batch and key. A no-op when the process does not trace.
 */
export function markStageSpan(stage: Stage, data: StageJobData): void {
  trace.getActiveSpan()?.setAttributes({
    'agent_factory.batch.id': data.b,
    'agent_factory.requirement.key': data.k,
    'agent_factory.stage': stage,
    ...(data.a ? { 'agent_factory.attempt': data.a } : {}),
  });
}

const tracer = trace.getTracer('agent-factory');

/**
 * A generation's span as OpenTelemetry's GenAI conventions name it (`chat <model>`) and attribute
 * it: the model that answered and its tokens.
 */
export function describeGeneration(span: Span, draft: Pick<GenerationResult, 'usage' | 'model' | 'degraded'>, attributes: Attributes = {}): void {
  const { usage, model, degraded } = draft;
  span.updateName(`chat ${model}`);
  span.setAttributes({
    'gen_ai.response.model': model,
    // The conventions count cached prompt tokens among the input tokens.
    'gen_ai.usage.input_tokens': usage.input + usage.cacheCreation + usage.cacheRead,
    'gen_ai.usage.output_tokens': usage.output,
    'gen_ai.usage.cache_creation.input_tokens': usage.cacheCreation,
    'gen_ai.usage.cache_read.input_tokens': usage.cacheRead,
    ...(degraded?.length ? { 'agent_factory.degraded': degraded } : {}),
    ...attributes,
  });
}

/** Ends a span, marked failed when `work` threw. */
async function inSpan<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}

const genAi = (provider: string): Attributes => ({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': provider });

/** A provider call as a span of its own under its generate job's: each generation's latency, model and tokens. */
export function inGenerationSpan<T extends { draft: GenerationResult; provider: string }>(provider: string, call: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(`chat ${provider}`, { kind: SpanKind.CLIENT, attributes: genAi(provider) }, (span) =>
    inSpan(span, async () => {
      const result = await call();
      // The offline generator's when the provider could not answer in time.
      describeGeneration(span, result.draft, { 'agent_factory.generator': result.provider });
      return result;
    }),
  );
}

/** The id of the active trace when it is recorded (sampled), else undefined. */
export function sampledTraceId(): string | undefined {
  const span = trace.getActiveSpan()?.spanContext();
  return span && span.traceFlags & TraceFlags.SAMPLED ? span.traceId : undefined;
}

/** The active trace as a W3C carrier (`traceparent`), for another process to continue it; undefined when nothing is traced. */
export function saveTrace(): Record<string, string> | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier['traceparent'] ? carrier : undefined;
}

/**
 * Continues a saved trace (saveTrace) with a span from `startTime` (epoch ms) until now — what the
 * requirement waited on elsewhere, its Message Batch — and runs `work` under it, so the jobs it adds
 * stay in the requirement's trace. `describe` attributes the span before `work` runs.
 */
export function continueTrace<T>(saved: Record<string, string> | undefined, startTime: number, work: () => Promise<T>, describe?: (span: Span) => void): Promise<T> {
  if (!saved) return work();
  const parent = propagation.extract(ROOT_CONTEXT, saved);
  const span = tracer.startSpan('message batch', { kind: SpanKind.CLIENT, startTime, attributes: genAi('anthropic') }, parent);
  return inSpan(span, async () => {
    describe?.(span);
    return context.with(trace.setSpan(parent, span), work);
  });
}
