import type { APIError } from '@anthropic-ai/sdk';
import { isSdkError } from './sdk.js';

/** Why a provider call failed, in the words the retry logic and the user need. */
export type ProviderErrorKind =
  | 'rate_limit' | 'overloaded' | 'server' | 'timeout' | 'connection' | 'stream'
  | 'invalid_request' | 'prompt_too_long' | 'authentication' | 'permission' | 'not_found' | 'billing'
  | 'aborted' | 'unknown';

const TRANSIENT_KINDS: ReadonlySet<ProviderErrorKind> = new Set(['rate_limit', 'overloaded', 'server', 'timeout', 'connection', 'stream', 'unknown']);

/**
 * A classified provider failure. `permanent: true` is the marker the queue's isPermanentError reads
 * (the item fails at once); `retryAfterMs` is what its backoff honours. Both are plain properties so
 * the queue needs no import of this package.
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly kind: ProviderErrorKind;
  readonly transient: boolean;
  readonly permanent: boolean;
  /** HTTP status, when the provider answered with one (mid-stream errors have none). */
  readonly status?: number;
  /** The provider's own wait (retry-after-ms / retry-after), when it gave one. */
  readonly retryAfterMs?: number;
  readonly requestId?: string;

  constructor(kind: ProviderErrorKind, message: string, details: { status?: number; retryAfterMs?: number; requestId?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.transient = TRANSIENT_KINDS.has(kind);
    // Aborts are neither: the caller stopped the work.
    this.permanent = !this.transient && kind !== 'aborted';
    if (details.status !== undefined) this.status = details.status;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
    if (details.requestId) this.requestId = details.requestId;
  }
}

/** `retry-after-ms` (milliseconds) wins over `retry-after` (seconds or an HTTP date), as in the SDK. */
export function retryAfterMs(headers: Pick<Headers, 'get'> | undefined, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const raw = headers?.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number.parseFloat(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The error `type` of an API error body (`{"type":"error","error":{"type":…}}`), HTTP or mid-stream. */
function bodyType(error: APIError): string | undefined {
  if (typeof error.type === 'string') return error.type;
  const body = error.error as { error?: { type?: unknown }; type?: unknown } | undefined;
  const type = body?.error?.type ?? body?.type;
  return typeof type === 'string' ? type : undefined;
}

function bodyMessage(error: APIError): string {
  const body = error.error as { error?: { message?: unknown } } | undefined;
  const message = error.apiMessage ?? body?.error?.message;
  return typeof message === 'string' && message !== '' ? message : error.message;
}

const PROMPT_TOO_LONG = /prompt is too long|prompt (?:length|tokens)|too many (?:input )?tokens|context (?:length|window)|input (?:is )?too long/i;
const BILLING = /credit balance|billing|payment|spend limit|quota/i;
const CONNECTION_TEXT = /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|socket|terminated|other side closed|network|fetch failed/i;

const KIND_BY_TYPE: Record<string, ProviderErrorKind> = {
  rate_limit_error: 'rate_limit',
  overloaded_error: 'overloaded',
  api_error: 'server',
  timeout_error: 'timeout',
  invalid_request_error: 'invalid_request',
  authentication_error: 'authentication',
  permission_error: 'permission',
  not_found_error: 'not_found',
  request_too_large: 'prompt_too_long',
  billing_error: 'billing',
};

function kindOfStatus(status: number): ProviderErrorKind {
  if (status === 429) return 'rate_limit';
  if (status === 529) return 'overloaded';
  if (status === 408) return 'timeout';
  if (status === 409 || status >= 500) return 'server';
  if (status === 401) return 'authentication';
  if (status === 402) return 'billing';
  if (status === 403) return 'permission';
  if (status === 404) return 'not_found';
  if (status === 413) return 'prompt_too_long';
  return 'invalid_request';
}

function causeText(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    parts.push(e.message, (e as Error & { code?: unknown }).code === undefined ? '' : String((e as Error & { code?: unknown }).code));
  }
  return parts.join(' ');
}

const REFUSED_TEXT = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/;

/** A connection nothing accepted (no server, no host): no request reached the API, nothing was billed. */
export function isRefusedConnection(error: ProviderError): boolean {
  return error.kind === 'connection' && REFUSED_TEXT.test(`${error.message} ${causeText(error.cause)}`);
}

/**
 * Sorts any error a Messages API call can raise into transient (retry with backoff) and permanent
 * (fail at once with the provider's message). Transient: 429, 408, 409, 5xx, 529, connection
 * resets, timeouts, an `event: error` mid-stream, a stream that ended early. Permanent: 400, 401,
 * 403, 404, 413, billing. A 413, or a 400 about the prompt's length, is `prompt_too_long`: the
 * provider first shrinks the prompt, and fails permanently only when nothing is left to cut.
 */
export function classifyError(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  if (isSdkError(error, 'APIUserAbortError')) return new ProviderError('aborted', 'the request was aborted', { cause: error });
  if (isSdkError(error, 'APIConnectionTimeoutError')) return new ProviderError('timeout', 'the request timed out', { cause: error });
  if (isSdkError(error, 'APIConnectionError')) return new ProviderError('connection', `connection error: ${causeText(error).trim() || error.message}`, { cause: error });
  if (isSdkError(error, 'APIError')) return apiProviderError(error);
  if (error instanceof Error && error.name === 'AbortError') return new ProviderError('aborted', 'the request was aborted', { cause: error });
  if (isSdkError(error, 'AnthropicError')) {
    // e.g. "stream ended without producing a Message": the connection dropped before message_stop.
    return new ProviderError('stream', `the stream ended early: ${error.message}`, { cause: error });
  }
  const text = causeText(error);
  if (CONNECTION_TEXT.test(text)) return new ProviderError('connection', `connection error: ${text.trim()}`, { cause: error });
  return new ProviderError('unknown', error instanceof Error ? error.message : String(error), { cause: error });
}

/** An error the API answered with (an HTTP status, or an `event: error` mid-stream). */
function apiProviderError(error: APIError): ProviderError {
  const status = typeof error.status === 'number' ? error.status : undefined;
  const type = bodyType(error);
  const message = bodyMessage(error);
  // A mid-stream error has no status: its body's type decides, and an unknown one is worth a retry.
  let kind: ProviderErrorKind = status !== undefined ? kindOfStatus(status) : (type === undefined ? undefined : KIND_BY_TYPE[type]) ?? 'stream';
  if (kind === 'invalid_request' && PROMPT_TOO_LONG.test(message)) kind = 'prompt_too_long';
  else if (type === 'billing_error' || ((status === 400 || status === 403) && BILLING.test(message))) kind = 'billing';
  const where = status === undefined ? 'mid-stream error' : `${status}`;
  const retryAfter = retryAfterMs(status === undefined ? undefined : error.headers);
  return new ProviderError(kind, `Anthropic API ${where}${type ? ` ${type}` : ''}: ${message}`, {
    ...(status !== undefined ? { status } : {}),
    ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
    ...(error.requestID ? { requestId: error.requestID } : {}),
    cause: error,
  });
}
