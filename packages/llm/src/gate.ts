import type { GenerationOptions, Usage } from '@agent-factory/core';
import type { ProviderError } from './errors.js';
import type { RetryEvent } from './anthropic.js';

/** What the provider is about to send, for a rate limiter that must admit it first. */
export interface PlannedRequest {
  model: string;
  /** The whole prompt's tokens (cached or not: nobody knows yet what the cache will hold). */
  inputTokens: number;
  /** The request's max_tokens: what the API's output-token limit holds while the request runs. */
  maxTokens: number;
}

/** How one request ended, for the limiter to settle its reservation. */
export interface RequestOutcome {
  /** What the API billed; zero when the request failed. */
  usage: Usage;
  error?: ProviderError;
  /** The response's headers (anthropic-ratelimit-*, retry-after), when a response arrived. */
  headers?: Pick<Headers, 'get'>;
  /** Date.now() when those headers arrived: a stream settles seconds after its headers were true. */
  headersAt?: number;
}

export interface RequestPermit {
  /** Settles the reservation; what it throws ends the generation unchanged (e.g. "go back to the queue"). */
  release(outcome: RequestOutcome): Promise<void>;
}

/**
 * Admission before every Messages API request, retries included (a cluster-wide rate limiter). It
 * may wait; what it throws ends the generation unchanged.
 */
export interface RequestGate {
  acquire(request: PlannedRequest, signal?: AbortSignal): Promise<RequestPermit>;
}

/** The provider's generation options: core's, plus a gate. */
export interface AnthropicGenerationOptions extends GenerationOptions {
  gate?: RequestGate;
  /**
   * Retries of a refused connection (nothing listening) inside this call, instead of maxRetries. A
   * caller that retries the whole call itself with backoff (the queue's stage attempts) passes 0, so
   * the two retry loops do not multiply against a dead URL.
   */
  refusedRetries?: number;
  /** This call's retries, instead of the provider's onRetry: a queue job logs them with its batch and requirement. */
  onRetry?: (event: RetryEvent) => void;
}
