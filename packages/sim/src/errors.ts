/** The API's error types by HTTP status. */
export const ERROR_TYPES = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
} as const;
export type ErrorStatus = keyof typeof ERROR_TYPES;
export type ErrorType = (typeof ERROR_TYPES)[ErrorStatus];

/** An error reply to send: handlers throw it, the server writes it in the API's shape. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: ErrorStatus,
    message: string,
    /** Extra response headers (retry-after …). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  get type(): ErrorType {
    return ERROR_TYPES[this.status];
  }
}

/** `{"type":"error","error":{"type","message"},"request_id"}`, the body of every error reply and `event: error`. */
export function errorBody(type: ErrorType, message: string, requestId: string | null): { type: 'error'; error: { type: ErrorType; message: string }; request_id: string | null } {
  return { type: 'error', error: { type, message }, request_id: requestId };
}
