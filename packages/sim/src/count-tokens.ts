import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './errors.js';
import { MESSAGES_MAX_BYTES, readJson, sendJson } from './http.js';
import { isKnownModel } from './models.js';
import { checkCacheControl, countTokens, promptBlocks } from './prompt.js';
import { CountTokensBodySchema, parseBody } from './request-schema.js';

/**
 * `POST /v1/messages/count_tokens` → `{"input_tokens": N}`: the whole prompt (system, messages,
 * tools) with core's estimateTokens, the same count a reply splits into input and cache tokens.
 */
export async function handleCountTokens(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = parseBody(CountTokensBodySchema, await readJson(req, MESSAGES_MAX_BYTES));
  if (!isKnownModel(body.model)) throw new ApiError(404, `model: ${body.model}`);
  const blocks = promptBlocks(body);
  checkCacheControl(blocks);
  sendJson(res, 200, { input_tokens: countTokens(blocks) });
}
