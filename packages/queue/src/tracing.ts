import type { GenerationResult } from '@agent-factory/core';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
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
 * A provider call as a span of its own under its generate job's, named and attributed as
 * OpenTelemetry's GenAI conventions have it: each generation's latency, model and tokens.
 */
export function inGenerationSpan<T extends { draft: GenerationResult; provider: string }>(provider: string, call: () => Promise<T>): Promise<T> {
  const attributes = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': provider };
  return tracer.startActiveSpan(`chat ${provider}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      const result = await call();
      const { usage, model, degraded } = result.draft;
      span.setAttributes({
        'gen_ai.response.model': model,
        // The conventions count cached prompt tokens among the input tokens.
        'gen_ai.usage.input_tokens': usage.input + usage.cacheCreation + usage.cacheRead,
        'gen_ai.usage.output_tokens': usage.output,
        'gen_ai.usage.cache_creation.input_tokens': usage.cacheCreation,
        'gen_ai.usage.cache_read.input_tokens': usage.cacheRead,
        // The offline generator's when the provider could not answer in time.
        'agent_factory.generator': result.provider,
        ...(degraded?.length ? { 'agent_factory.degraded': degraded } : {}),
      });
      return result;
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}
