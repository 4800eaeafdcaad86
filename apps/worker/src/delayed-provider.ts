import type { GenerationOptions, GenerationRequest, GenerationResult, LlmProvider } from '@agent-factory/core';

/**
 * A provider that waits before answering, honouring the abort signal: a dry-run and test knob
 * (AF_GENERATE_DELAY_MS) that makes the offline generator take as long as a real model call, so
 * cancellation, crashes and shutdowns can be exercised against jobs that are really in flight.
 */
export function delayedProvider(inner: LlmProvider, delayMs: number): LlmProvider {
  return {
    name: inner.name,
    async generate(request: GenerationRequest, options: GenerationOptions = {}): Promise<GenerationResult> {
      await new Promise<void>((resolve, reject) => {
        const { signal } = options;
        if (signal?.aborted) return reject(new Error('generation aborted'));
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, delayMs);
        const onAbort = (): void => {
          clearTimeout(timer);
          reject(new Error('generation aborted'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      return inner.generate(request, options);
    },
  };
}
