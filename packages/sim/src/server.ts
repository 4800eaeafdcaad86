import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BatchStore } from './batch-store.js';
import { handleBatchResults, handleCancelBatch, handleCreateBatch, handleDeleteBatch, handleListBatches, handleRetrieveBatch } from './batches.js';
import { handleCountTokens } from './count-tokens.js';
import { ApiError } from './errors.js';
import { sendError, sendJson } from './http.js';
import { newId } from './ids.js';
import type { Ledger } from './ledger.js';
import type { LimitName } from './limits.js';
import { agentAnswer } from './agent-answer.js';
import { handleMessages } from './messages.js';
import { resolveOptions, type FaultPlanInput, type ResolvedOptions, type SimulatorOptions } from './options.js';
import { createState, replaceFaults, type SimState } from './state.js';

/** A running simulator. */
export interface Simulator {
  /** Base URL for the SDK's `baseURL`, e.g. `http://127.0.0.1:54321` (no trailing slash). */
  readonly url: string;
  /** The live ledger: read its fields any time; `snapshot()` copies, `reset()` zeroes. Also `GET /_ledger`. */
  readonly ledger: Ledger;
  /** The options in effect, defaults applied. */
  readonly options: ResolvedOptions;
  /** Replaces the fault plan (counters and RNG start over). */
  setFaults(plan: FaultPlanInput): void;
  /** Forgets every cached prompt prefix. */
  clearCache(): void;
  /**
   * Empties every limit's bucket, as after a minute at full load: a benchmark or test then meets its
   * binding limit from the first request instead of spending a minute's burst first.
   */
  drainLimits(): void;
  /**
   * What each configured limit's bucket holds now (OTPM net of the max_tokens reserved by replies in
   * flight): with the ledger, how much of a limit a run left unused.
   */
  limitLevels(): Partial<Record<LimitName, number>>;
  /** Stops listening, cuts open connections and streams, forgets batches. */
  close(): Promise<void>;
}

interface Context {
  state: SimState;
  batches: BatchStore;
}

type Handler = (ctx: Context, req: IncomingMessage, res: ServerResponse, info: { url: URL; origin: string; id: string; startedAt: number }) => Promise<void> | void;

const BATCH_ID = '([A-Za-z0-9_-]+)';
/** The API surface: [method, path pattern, ledger endpoint label, handler]. */
const ROUTES: Array<[string, RegExp, string, Handler]> = [
  ['POST', /^\/v1\/messages$/, 'POST /v1/messages', (c, req, res, i) => handleMessages(c.state, req, res, i.startedAt)],
  ['POST', /^\/v1\/messages\/count_tokens$/, 'POST /v1/messages/count_tokens', (_c, req, res) => handleCountTokens(req, res)],
  ['POST', /^\/v1\/messages\/batches$/, 'POST /v1/messages/batches', (c, req, res, i) => handleCreateBatch(c.state, c.batches, req, res, i.origin)],
  ['GET', /^\/v1\/messages\/batches$/, 'GET /v1/messages/batches', (c, _req, res, i) => handleListBatches(c.batches, i.url, res, i.origin)],
  ['GET', new RegExp(`^/v1/messages/batches/${BATCH_ID}$`), 'GET /v1/messages/batches/:id', (c, _req, res, i) => handleRetrieveBatch(c.batches, i.id, res, i.origin)],
  ['GET', new RegExp(`^/v1/messages/batches/${BATCH_ID}/results$`), 'GET /v1/messages/batches/:id/results', (c, _req, res, i) => handleBatchResults(c.batches, i.id, res)],
  ['POST', new RegExp(`^/v1/messages/batches/${BATCH_ID}/cancel$`), 'POST /v1/messages/batches/:id/cancel', (c, _req, res, i) => handleCancelBatch(c.batches, i.id, res, i.origin)],
  ['DELETE', new RegExp(`^/v1/messages/batches/${BATCH_ID}$`), 'DELETE /v1/messages/batches/:id', (c, _req, res, i) => handleDeleteBatch(c.batches, i.id, res)],
];

/** Any non-empty `x-api-key` (or Bearer token), or exactly `apiKey` when one is configured; and an `anthropic-version`. */
function checkHeaders(req: IncomingMessage, apiKey: string | undefined): void {
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const key = (req.headers['x-api-key'] as string | undefined) || bearer;
  if (!key) throw new ApiError(401, 'x-api-key header is required');
  if (apiKey !== undefined && key !== apiKey) throw new ApiError(401, 'invalid x-api-key');
  if (!req.headers['anthropic-version']) throw new ApiError(400, 'anthropic-version: header is required');
}

async function route(ctx: Context, req: IncomingMessage, res: ServerResponse, fallbackOrigin: string): Promise<void> {
  const startedAt = performance.now();
  const url = new URL(req.url ?? '/', 'http://sim.invalid');
  const method = req.method ?? 'GET';
  const { state } = ctx;
  if (url.pathname === '/_ledger' && method === 'GET') return sendJson(res, 200, state.ledger);
  if (url.pathname === '/_ledger/reset' && method === 'POST') {
    state.ledger.reset();
    return sendJson(res, 200, state.ledger);
  }

  let id = '';
  const found = ROUTES.find(([m, pattern]) => {
    const match = m === method ? pattern.exec(url.pathname) : null;
    if (match) id = match[1] ?? '';
    return match !== null;
  });
  const endpoint = found?.[2] ?? 'other';
  res.setHeader('request-id', newId('req'));
  for (const [name, value] of Object.entries(state.limiter.headers())) res.setHeader(name, value);
  res.once('close', () => state.ledger.recordRequest(endpoint, res.headersSent ? String(res.statusCode) : 'reset'));
  try {
    checkHeaders(req, state.options.apiKey);
    if (!found) throw new ApiError(404, `${method} ${url.pathname}: not found`);
    const origin = req.headers.host ? `http://${req.headers.host}` : fallbackOrigin;
    await found[3](ctx, req, res, { url, origin, id, startedAt });
  } catch (error) {
    if (res.headersSent || res.destroyed) return;
    if (error instanceof ApiError) return sendError(res, error);
    // A bug in the simulator: the API's own answer to an unexpected failure, with the cause for the tester.
    sendError(res, new ApiError(500, `Internal server error (simulator: ${error instanceof Error ? error.message : String(error)})`));
  }
}

function baseUrl(address: AddressInfo): string {
  const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

/** Starts a local server that speaks the Anthropic Messages API wire protocol. */
export async function startSimulator(input: SimulatorOptions = {}): Promise<Simulator> {
  const options = resolveOptions(input);
  // Loads the tokenizer and templates now, so the first request's latency is not ~150 ms off.
  agentAnswer('warm-up: an agent that reviews code');
  const closing = new AbortController();
  // Every request in flight waits on it (paced replies sleep with it): hundreds at once are normal.
  setMaxListeners(0, closing.signal);
  const state = createState(options, closing.signal);
  const ctx: Context = { state, batches: new BatchStore(state) };
  let url = '';
  const server = createServer((req, res) => void route(ctx, req, res, url));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  url = baseUrl(server.address() as AddressInfo);
  return {
    url,
    ledger: state.ledger,
    options,
    setFaults: (plan) => replaceFaults(state, plan),
    clearCache: () => state.cache.clear(),
    drainLimits: () => state.limiter.drain(),
    limitLevels: () => state.limiter.levels(),
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        ctx.batches.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
