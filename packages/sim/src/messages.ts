import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { bookReply, completeRequest, messageJson, prepareRequest, type PreparedRequest } from './completion.js';
import { ApiError, type ErrorStatus } from './errors.js';
import { MESSAGES_MAX_BYTES, readJson, sendJson } from './http.js';
import { retryHeaders } from './limits.js';
import type { FaultKind, FaultPlan, FaultStep } from './options.js';
import { MessageCreateBodySchema, parseBody } from './request-schema.js';
import type { SimState } from './state.js';
import { streamReply, tokensDueAt, waitUntil, type Pace } from './stream.js';

/** What an injected status fault says; wording close to the API's. */
const FAULT_ERRORS: Partial<Record<FaultKind, [ErrorStatus, string]>> = {
  '400': [400, 'Simulated invalid request: the request was rejected (injected fault).'],
  '401': [401, 'invalid x-api-key'],
  '402': [402, 'Your credit balance is too low to access the Anthropic API.'],
  '403': [403, 'Your API key does not have permission to use the specified resource.'],
  '404': [404, 'The requested resource could not be found.'],
  '413': [413, 'Request exceeds the maximum allowed number of bytes.'],
  '429': [429, 'This request would exceed your rate limit (injected fault). Please try again later.'],
  '500': [500, 'Internal server error'],
  '504': [504, 'Request timed out'],
  '529': [529, 'Overloaded'],
  // A stream fault on a JSON request: the same overloaded error the event would carry.
  midstream: [529, 'Overloaded'],
};

function setHeaders(res: ServerResponse, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
}

/**
 * Applies the fault that ends the request before any answer (reset, hang, an error status).
 * Returns true when the request is over; `midstream` and `malformed` act later.
 */
async function endByFault(state: SimState, req: IncomingMessage, step: FaultStep, plan: FaultPlan, streaming: boolean): Promise<boolean> {
  if (step === 'reset' || step === 'hang') {
    if (step === 'hang') await sleep(plan.hangMs, undefined, { signal: state.closing }).catch(() => undefined);
    req.socket.destroy();
    return true;
  }
  const injected = step === 'ok' || (step === 'midstream' && streaming) ? undefined : FAULT_ERRORS[step];
  if (injected) throw new ApiError(injected[0], injected[1], injected[0] === 429 ? retryHeaders(plan.retryAfterMs) : {});
  return false;
}

/** Takes the request's cost from the limits, or throws the API's 429. */
function admit(state: SimState, prepared: PreparedRequest): void {
  const { cache, body } = prepared;
  // Cache reads do not count against ITPM; uncached input and cache writes do.
  const admission = state.limiter.admit({ input: cache.uncached + cache.creation5m + cache.creation1h, maxOutput: body.max_tokens });
  if (admission.ok) return;
  state.ledger.recordRateLimited(admission.limit);
  const what = admission.limit.replace('-', ' ');
  throw new ApiError(
    429,
    `This request would exceed the rate limit for your organization of ${admission.limitValue} ${what} per minute. ` +
      'You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later.',
    retryHeaders(admission.waitMs),
  );
}

/** `POST /v1/messages`: checks, faults, limits, prompt cache, then the answer as JSON or SSE. */
export async function handleMessages(state: SimState, req: IncomingMessage, res: ServerResponse, startedAt: number): Promise<void> {
  const body = parseBody(MessageCreateBodySchema, await readJson(req, MESSAGES_MAX_BYTES));
  const prepared = prepareRequest(state, body);
  // The plan comes from the injector: sim.setFaults may have replaced the one in the options.
  const { plan } = state.faults;
  const step = state.faults.next(prepared.userText);
  if (step !== 'ok') state.ledger.recordFault(step);
  if (await endByFault(state, req, step, plan, body.stream === true)) return;
  admit(state, prepared);

  const reply = completeRequest(state, prepared, 'realtime', step === 'malformed');
  const pace: Pace = { startedAt, ttftMs: state.options.ttftMs, tokensPerSecond: state.options.tokensPerSecond };
  const finished = (): void => {
    bookReply(state, reply, 'realtime');
    state.ledger.recordLateness(performance.now() - startedAt - tokensDueAt(pace, reply.outputTokens));
  };
  if (body.stream) {
    setHeaders(res, state.limiter.headers());
    const errorAfterDeltas = step === 'midstream' ? plan.midstreamAfterDeltas : undefined;
    const end = await streamReply(res, reply, { pace, requestId: String(res.getHeader('request-id')), signal: state.closing, errorAfterDeltas });
    state.limiter.settleOutput(body.max_tokens, reply.outputTokens);
    if (end === 'completed') finished();
    else if (end === 'aborted') res.destroy();
    return;
  }

  let gone = false;
  res.once('close', () => (gone = !res.writableFinished));
  const waited = await waitUntil(pace, tokensDueAt(pace, reply.outputTokens), state.closing);
  state.limiter.settleOutput(body.max_tokens, reply.outputTokens);
  if (!waited || gone) {
    res.destroy();
    return;
  }
  setHeaders(res, state.limiter.headers());
  sendJson(res, 200, messageJson(reply));
  finished();
}
