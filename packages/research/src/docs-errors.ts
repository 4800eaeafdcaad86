/** Why a docs call failed, in the words retry logic and the degraded reason need. */
export type DocsErrorKind = 'rate_limit' | 'auth' | 'timeout' | 'connection' | 'server' | 'bad_request' | 'protocol';

const PERMANENT_KINDS: ReadonlySet<DocsErrorKind> = new Set(['auth', 'bad_request', 'protocol']);

/**
 * A classified docs-source failure. `permanent: true` is the marker the queue's isPermanentError
 * reads; `transient` failures may say how long to wait (`retryAfterMs`). Plain properties, as in
 * @agent-factory/llm's ProviderError, so no package needs to import this one to read them.
 */
export class DocsSourceError extends Error {
  override readonly name = 'DocsSourceError';
  readonly kind: DocsErrorKind;
  readonly transient: boolean;
  readonly permanent: boolean;
  readonly retryAfterMs?: number;

  constructor(kind: DocsErrorKind, message: string, details: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.permanent = PERMANENT_KINDS.has(kind);
    this.transient = !this.permanent;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }
}

// Context7 answers its failures as ordinary text (see its lib/api.ts parseErrorResponse).
// Anchored at the start: docs prose may well say "quota exceeded" or "does not exist".
const RATE_LIMITED = /^(rate limited|too many requests|quota exceeded)/i;
const BAD_KEY = /^(invalid api key|unauthorized)/i;
const NO_DOCS = /^(the library you are trying to access does not exist|library \S+ (does not exist|not found)|no (code |info )?(documentation|content|context data) available|no libraries found)/i;
const FAILED_STATUS = /^request failed with status (\d{3})/i;
const FETCH_FAILED = /^error (fetching|searching)/i;
const BAD_INPUT = /^(input validation error|invalid arguments|invalid library id|mcp error -3260[0-2])|tool \S+ not found/i;

export type AnswerVerdict = { kind: 'docs'; text: string } | { kind: 'no-docs'; text: string };

/** The first line of a text, short enough for a degraded reason. */
function headline(text: string): string {
  return (text.trim().split('\n')[0] ?? '').slice(0, 200);
}

/**
 * Reads a tool answer: docs, "no docs for this library", or a thrown DocsSourceError for the error
 * texts (rate limited → transient, invalid key → permanent) and for `isError` results.
 */
export function classifyAnswer(text: string, isError: boolean): AnswerVerdict {
  const trimmed = text.trim();
  const line = headline(trimmed);
  if (RATE_LIMITED.test(trimmed)) throw new DocsSourceError('rate_limit', line);
  if (BAD_KEY.test(trimmed)) throw new DocsSourceError('auth', line);
  if (NO_DOCS.test(trimmed)) return { kind: 'no-docs', text: trimmed };
  const status = FAILED_STATUS.exec(trimmed)?.[1];
  if (status !== undefined) throw new DocsSourceError(kindOfStatus(Number(status)), line);
  if (isError) throw new DocsSourceError(BAD_INPUT.test(trimmed) ? 'bad_request' : 'server', line || 'the tool reported an error');
  if (FETCH_FAILED.test(trimmed)) throw new DocsSourceError('server', line);
  if (trimmed === '') throw new DocsSourceError('server', 'empty answer');
  return { kind: 'docs', text };
}

function kindOfStatus(status: number): DocsErrorKind {
  if (status === 429) return 'rate_limit';
  if (status === 401 || status === 403) return 'auth';
  if (status === 408) return 'timeout';
  if (status >= 500 || status === 409) return 'server';
  return 'bad_request';
}

// JSON-RPC codes the SDK's McpError carries (its ErrorCode enum).
const CONNECTION_CLOSED = -32000;
const REQUEST_TIMEOUT = -32001;
const BAD_REQUEST_CODES = new Set([-32600, -32601, -32602]);
const CONNECTION_TEXT = /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|socket|fetch failed|other side closed|terminated|closed/i;

/** Sorts what an MCP call can throw (McpError, StreamableHTTPError, fetch and spawn errors) into a DocsSourceError. */
export function classifyCallError(error: unknown): DocsSourceError {
  if (error instanceof DocsSourceError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const name = error instanceof Error ? error.name : '';
  if (name === 'UnauthorizedError') return new DocsSourceError('auth', message, { cause: error });
  if (name === 'McpError' && typeof code === 'number') {
    if (code === REQUEST_TIMEOUT) return new DocsSourceError('timeout', message, { cause: error });
    if (code === CONNECTION_CLOSED) return new DocsSourceError('connection', message, { cause: error });
    if (BAD_REQUEST_CODES.has(code)) return new DocsSourceError('bad_request', message, { cause: error });
    return new DocsSourceError('server', message, { cause: error });
  }
  // StreamableHTTPError: the HTTP status of the POST (-1 for an unexpected content type).
  if (name === 'StreamableHTTPError' && typeof code === 'number' && code >= 400) return new DocsSourceError(kindOfStatus(code), message, { cause: error });
  if (name === 'AbortError' || /timed? ?out/i.test(message)) return new DocsSourceError('timeout', message, { cause: error });
  const text = `${message} ${String((error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause?.code ?? '')}`;
  return new DocsSourceError(CONNECTION_TEXT.test(text) || typeof code === 'string' ? 'connection' : 'server', message, { cause: error });
}
