import { agentAnswer, lastUserText, malformAnswer, shapeAnswer, type ShapedAnswer } from './agent-answer.js';
import { ApiError } from './errors.js';
import { newId } from './ids.js';
import { costUsd, isKnownModel, modelFacts } from './models.js';
import { checkCacheControl, promptBlocks } from './prompt.js';
import type { CacheOutcome } from './prompt-cache.js';
import type { MessageCreateBody } from './request-schema.js';
import type { SimState } from './state.js';

/** `usage` as the API reports it. */
export interface ApiUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens: number;
  service_tier: 'standard' | 'batch';
}

/** A checked request, looked up in the cache but not yet admitted. */
export interface PreparedRequest {
  body: MessageCreateBody;
  userText: string;
  cache: CacheOutcome;
}

/** A reply ready to send: the answer cut to the request's limits and its usage. */
export interface Reply extends ShapedAnswer {
  id: string;
  model: string;
  usage: ApiUsage;
}

/** The checks the API makes beyond the body's shape (model, max_tokens ceiling, cache_control), and the cache lookup. */
export function prepareRequest(state: SimState, body: MessageCreateBody): PreparedRequest {
  if (!isKnownModel(body.model)) throw new ApiError(404, `model: ${body.model}`);
  const ceiling = modelFacts(body.model).maxOutputTokens;
  if (body.max_tokens > ceiling) {
    throw new ApiError(400, `max_tokens: ${body.max_tokens} > ${ceiling}, which is the maximum allowed number of output tokens for ${body.model}`);
  }
  const blocks = promptBlocks(body);
  checkCacheControl(blocks);
  return { body, userText: lastUserText(body.messages), cache: state.cache.lookup(body.model, blocks) };
}

/** Commits the cache outcome and writes the answer (broken when `malformed`). */
export function completeRequest(state: SimState, prepared: PreparedRequest, mode: 'realtime' | 'batch', malformed = false): Reply {
  const { body, cache } = prepared;
  state.cache.commit(cache);
  const answer = agentAnswer(prepared.userText);
  const shaped = shapeAnswer(malformed ? malformAnswer(answer) : answer, body.max_tokens, body.stop_sequences);
  const creation = cache.creation5m + cache.creation1h;
  return {
    ...shaped,
    id: newId('msg'),
    model: body.model,
    usage: {
      input_tokens: cache.uncached,
      cache_creation_input_tokens: creation,
      cache_read_input_tokens: cache.read,
      cache_creation: { ephemeral_5m_input_tokens: cache.creation5m, ephemeral_1h_input_tokens: cache.creation1h },
      output_tokens: shaped.outputTokens,
      service_tier: mode === 'batch' ? 'batch' : 'standard',
    },
  };
}

/** The Message object of a finished reply. */
export function messageJson(reply: Reply): Record<string, unknown> {
  return {
    id: reply.id,
    type: 'message',
    role: 'assistant',
    model: reply.model,
    content: [{ type: 'text', text: reply.text }],
    stop_reason: reply.stopReason,
    stop_sequence: reply.stopSequence,
    usage: reply.usage,
  };
}

/** Books a finished reply in the ledger at its price. */
export function bookReply(state: SimState, reply: Reply, mode: 'realtime' | 'batch'): void {
  const u = reply.usage;
  const usd = costUsd(
    reply.model,
    {
      input: u.input_tokens,
      output: u.output_tokens,
      cacheRead: u.cache_read_input_tokens,
      cacheCreation5m: u.cache_creation.ephemeral_5m_input_tokens,
      cacheCreation1h: u.cache_creation.ephemeral_1h_input_tokens,
    },
    mode === 'batch',
  );
  state.ledger.recordMessage(mode, { input: u.input_tokens, output: u.output_tokens, cacheCreation: u.cache_creation_input_tokens, cacheRead: u.cache_read_input_tokens }, usd);
}
