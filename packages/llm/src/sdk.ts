import type Anthropic from '@anthropic-ai/sdk';
import type { AnthropicError, APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';

/** Where a client goes and how long a request may take. */
export interface ClientSettings {
  apiKey: string;
  baseURL?: string | undefined;
  timeoutMs: number;
}

/**
 * An Anthropic client, the SDK imported on first use: it costs ~0.2 s of start-up, which processes
 * that never call the API (offline workers, producers, the server) should not pay. The SDK's own
 * retries are off: every retry is the caller's, counted and reported, never hidden.
 */
export async function anthropicClient({ apiKey, baseURL, timeoutMs }: ClientSettings): Promise<Anthropic> {
  const { default: Client } = await import('@anthropic-ai/sdk');
  return new Client({ apiKey, ...(baseURL ? { baseURL } : {}), maxRetries: 0, timeout: timeoutMs });
}

/** The SDK's error classes that classifying a failure tells apart, by name. */
interface SdkErrors {
  AnthropicError: AnthropicError;
  APIError: APIError;
  APIUserAbortError: APIUserAbortError;
  APIConnectionError: APIConnectionError;
  APIConnectionTimeoutError: APIConnectionTimeoutError;
}
export type SdkErrorName = keyof SdkErrors;

/**
 * Whether `error` is an instance of the SDK's error class `name` or of a subclass, read from the
 * class names on its prototype chain: `instanceof` would need the SDK imported up front (above).
 */
export function isSdkError<N extends SdkErrorName>(error: unknown, name: N): error is SdkErrors[N] {
  if (!(error instanceof Error)) return false;
  for (let proto: unknown = Object.getPrototypeOf(error); proto !== null && proto !== Error.prototype; proto = Object.getPrototypeOf(proto)) {
    if ((proto as { constructor?: { name?: string } }).constructor?.name === name) return true;
  }
  return false;
}
