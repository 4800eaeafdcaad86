import { cannotSaveMessage, isRedisFullError, isRedisUnavailable, RedisFullError, redisFullMessage, writeRefusalOf } from '@agent-factory/queue';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { z } from 'zod';

/** Every error the API answers with: `{error: {code, message, details?}}`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** An error that already knows its HTTP status and its machine-readable code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** 503: Redis is unreachable (a restart, a failover), which is no bug of ours, and the client may try again. */
export function sendUnavailable(res: Response): void {
  res.set('Retry-After', '2');
  sendError(res, 503, 'redis_unavailable', 'Redis is not answering; try again shortly');
}

/** A query string checked by its schema, or a 400 naming what is wrong. */
export function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  // `?limit=1&limit=2` reads as an array, which the schema would call "NaN".
  const repeated = Object.entries(query ?? {}).find(([, value]) => Array.isArray(value));
  if (repeated) throw new HttpError(400, 'invalid_query', `${repeated[0]}: given more than once`);
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw new HttpError(400, 'invalid_query', parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '));
  return parsed.data;
}

export function sendError(res: Response, status: number, code: string, message: string, details?: unknown): void {
  const body: ErrorBody = { error: { code, message, ...(details === undefined ? {} : { details }) } };
  res.status(status).json(body);
}

/** The last route: anything no router answered. */
export const notFound: RequestHandler = (req, res) => {
  sendError(res, 404, 'not_found', `no route for ${req.method} ${req.path}`);
};

/** The shape body-parser and express give their errors (`type` tells a parse error from a size error). */
interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  /** The raw body of a parse error. */
  body?: string;
}

/** Valid JSON that strict parsing refused: a string, a number, null. */
function isJson(text: string | undefined): boolean {
  try {
    return text !== undefined && (JSON.parse(text), true);
  } catch {
    return false;
  }
}

export interface ErrorLogger {
  error(obj: object, msg?: string): void;
}

/** Turns every thrown error into a JSON answer; only unexpected ones (5xx) are logged. */
export function errorHandler(logger?: ErrorLogger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    // Headers already went out (a streamed answer): all we can do is cut the connection.
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof HttpError) {
      sendError(res, error.status, error.code, error.message, error.details);
      return;
    }
    const parser = (typeof error === 'object' && error !== null ? error : {}) as BodyParserError;
    if (parser.type === 'entity.too.large') {
      // Named, so the one who runs the server knows what to raise.
      sendError(res, 413, 'body_too_large', `the request body is over the limit of ${parser.limit ?? '?'} bytes (the server's AF_BODY_LIMIT)`);
      return;
    }
    if (parser.type === 'entity.parse.failed') {
      sendError(res, 400, 'invalid_json', isJson(parser.body) ? 'the request body must be a JSON array or object' : 'the request body is not valid JSON');
      return;
    }
    if (typeof parser.status === 'number' && parser.status >= 400 && parser.status < 500) {
      // The request's own fault, said by body-parser (a charset, an encoding that does not inflate, an
      // aborted upload) or by express (a path parameter that does not decode): never a 500.
      sendError(res, parser.status, 'bad_request', error instanceof Error ? error.message : 'bad request');
      return;
    }
    // Redis has no room (maxmemory, noeviction): 507 Insufficient Storage, with what to do; a submit
    // says what became of its batch.
    if (error instanceof RedisFullError) {
      sendError(res, 507, 'redis_full', error.message, error.batch ? { batch: error.batch } : undefined);
      return;
    }
    if (isRedisFullError(error)) {
      sendError(res, 507, 'redis_full', redisFullMessage(undefined));
      return;
    }
    // Redis cannot save to disk and refuses writes (MISCONF): unavailable until it can, with what to do.
    if (writeRefusalOf(error) === 'disk') {
      sendError(res, 503, 'redis_cannot_save', cannotSaveMessage());
      return;
    }
    const err = error instanceof Error ? error : new Error(String(error));
    // ioredis gave up on a command while Redis is unreachable: that is 503, not a bug of ours.
    if (isRedisUnavailable(err)) {
      sendUnavailable(res);
      return;
    }
    logger?.error({ err, method: req.method, path: req.path }, 'request failed');
    sendError(res, 500, 'internal', 'internal error');
  };
}
