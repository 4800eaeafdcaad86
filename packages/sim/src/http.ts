import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, errorBody } from './errors.js';

/** Largest `POST /v1/messages` body the API takes (32 MB). */
export const MESSAGES_MAX_BYTES = 32 * 1024 * 1024;

/** Reads and parses a JSON body; over `maxBytes` → 413, unparsable → 400, like the API. */
export async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, 'There was an error parsing the body of your request: it is not valid JSON.');
  }
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, `Request exceeds the maximum allowed number of bytes (${maxBytes}).`);
}

/** A JSON reply with the API's content type. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** An error reply in the API's shape; the request id is the `request-id` header already set. */
export function sendError(res: ServerResponse, error: ApiError): void {
  const requestId = String(res.getHeader('request-id') ?? '') || null;
  // A body the server never read (a 413) must not be left in the socket for the next request.
  const headers = error.status === 413 ? { ...error.headers, connection: 'close' } : error.headers;
  sendJson(res, error.status, errorBody(error.type, error.message, requestId), headers);
}

/**
 * Resolves once `res` takes writes again ('drain') or is gone ('close'). The listener that did not
 * fire goes too: a long stream meets backpressure many times, and a 'close' listener left behind each
 * time piles up on the response (Node warns past ten).
 */
export async function writable(res: ServerResponse): Promise<void> {
  const done = new AbortController();
  try {
    await Promise.race([once(res, 'drain', { signal: done.signal }), once(res, 'close', { signal: done.signal })]);
  } finally {
    done.abort();
  }
}
