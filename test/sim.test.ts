import { spawn } from 'node:child_process';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic, { APIConnectionError, APIConnectionTimeoutError, APIError, BadRequestError, InternalServerError, NotFoundError, RateLimitError } from '@anthropic-ai/sdk';
import type { Message, MessageCreateParamsNonStreaming, Usage } from '@anthropic-ai/sdk/resources/messages';
import { planRequirement, validateAgent, validationContext } from '@agent-factory/core';
import { startSimulator, type Simulator, type SimulatorOptions, type TokenCounts } from '@agent-factory/sim';
import { afterEach, describe, expect, it } from 'vitest';
import { writable } from '../packages/sim/src/http.js';
import { CLI } from './helpers/cli.js';

const MODEL = 'claude-sonnet-4-6';
const REQUIREMENT = 'Review pull requests for security issues in a Node.js Express API';
/** Fast enough for tests, slow enough that pacing is real. */
const FAST: SimulatorOptions = { ttftMs: 5, tokensPerSecond: 200_000 };

let sims: Simulator[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});

async function start(options: SimulatorOptions = {}): Promise<{ sim: Simulator; client: Anthropic }> {
  const sim = await startSimulator({ ...FAST, ...options });
  sims.push(sim);
  return { sim, client: new Anthropic({ apiKey: 'k', baseURL: sim.url, maxRetries: 0 }) };
}

function params(overrides: Partial<MessageCreateParamsNonStreaming> = {}): MessageCreateParamsNonStreaming {
  return { model: MODEL, max_tokens: 4096, messages: [{ role: 'user', content: `Write the agent.\n<requirement>${REQUIREMENT}</requirement>` }], ...overrides };
}

/** A stable prefix of ~1,500 tokens marked for caching, as the provider lays its prompt out. */
const LONG_PREFIX = Array.from({ length: 150 }, (_, i) => `Rule ${i}: agent files keep their frontmatter on line one and stay concise.`).join('\n');
function cachedParams(requirement = REQUIREMENT): MessageCreateParamsNonStreaming {
  return params({
    system: [{ type: 'text', text: LONG_PREFIX, cache_control: { type: 'ephemeral' } }],
    messages: [{ role: 'user', content: `<requirement>${requirement}</requirement>` }],
  });
}

function toCounts(usages: Usage[]): TokenCounts {
  return {
    input: usages.reduce((s, u) => s + u.input_tokens, 0),
    output: usages.reduce((s, u) => s + u.output_tokens, 0),
    cacheCreation: usages.reduce((s, u) => s + (u.cache_creation_input_tokens ?? 0), 0),
    cacheRead: usages.reduce((s, u) => s + (u.cache_read_input_tokens ?? 0), 0),
  };
}

async function agentPasses(content: string, requirement = REQUIREMENT): Promise<boolean> {
  const plan = planRequirement({ requirement });
  return (await validateAgent(content, validationContext(plan))).passed;
}

/** Event names of a raw SSE reply, in order. */
async function rawEvents(url: string, body: object): Promise<string[]> {
  const res = await fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const text = await res.text();
  return [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]!);
}

describe('messages', () => {
  it('answers JSON in the API shape with an agent file that passes the gates', async () => {
    const { client } = await start();
    const { data, response } = await client.messages.create(params()).withResponse();
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('request-id')).toMatch(/^req_01/);
    expect(data).toMatchObject({ type: 'message', role: 'assistant', model: MODEL, stop_reason: 'end_turn', stop_sequence: null });
    expect(data.id).toMatch(/^msg_01/);
    const text = data.content[0]?.type === 'text' ? data.content[0].text : '';
    expect(text.startsWith('---\nname: ')).toBe(true);
    expect(await agentPasses(text)).toBe(true);
    expect(data.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    expect(data.usage.input_tokens).toBeGreaterThan(10);
    expect(data.usage.output_tokens).toBeGreaterThan(300);
  });

  it('streams in the exact event order, and the SDK assembles the same message', async () => {
    const { sim, client } = await start();
    const events = await rawEvents(sim.url, { ...params(), stream: true });
    const deltas = events.filter((e) => e === 'content_block_delta').length;
    expect(deltas).toBeGreaterThan(20);
    expect(events).toEqual(['message_start', 'content_block_start', 'ping', ...Array<string>(deltas).fill('content_block_delta'), 'content_block_stop', 'message_delta', 'message_stop']);

    const stream = client.messages.stream(params());
    const texts: string[] = [];
    const types: string[] = [];
    stream.on('text', (delta) => texts.push(delta));
    stream.on('streamEvent', (event) => types.push(event.type));
    const message = await stream.finalMessage();
    const text = message.content[0]?.type === 'text' ? message.content[0].text : '';
    expect(texts.join('')).toBe(text);
    expect(texts.length).toBeGreaterThan(20);
    expect(types[0]).toBe('message_start');
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(message.stop_reason).toBe('end_turn');
    expect(await agentPasses(text)).toBe(true);
    expect(message.usage.output_tokens).toBeGreaterThan(300);
  });

  it('paces the reply: time to first token, then tokens per second', async () => {
    const { client } = await start({ ttftMs: 150, tokensPerSecond: 5000 });
    const t0 = performance.now();
    let firstAt = 0;
    const stream = client.messages.stream(params());
    stream.once('text', () => (firstAt = performance.now() - t0));
    const message = await stream.finalMessage();
    const total = performance.now() - t0;
    expect(firstAt).toBeGreaterThanOrEqual(145);
    expect(total).toBeGreaterThanOrEqual(150 + (message.usage.output_tokens / 5000) * 1000 - 5);
  });

  it('stops at max_tokens and at stop sequences', async () => {
    const { client } = await start();
    const short = await client.messages.create(params({ max_tokens: 40 }));
    expect(short.stop_reason).toBe('max_tokens');
    expect(short.usage.output_tokens).toBeLessThanOrEqual(40);
    expect(short.usage.output_tokens).toBeGreaterThan(30);
    const stopped = await client.messages.create(params({ stop_sequences: ['## Role'] }));
    expect(stopped).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: '## Role' });
  });

  it('counts tokens like the replies do', async () => {
    const { client } = await start();
    const p = cachedParams();
    const { input_tokens } = await client.messages.countTokens({ model: p.model, system: p.system, messages: p.messages });
    const reply = await client.messages.create(p);
    const u = reply.usage;
    expect(input_tokens).toBe(u.input_tokens + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0));
    expect(input_tokens).toBeGreaterThan(1024);
  });

  it('rejects bad requests in the API error shape', async () => {
    const { sim, client } = await start();
    const missing = await client.messages.create({ model: MODEL, messages: params().messages } as MessageCreateParamsNonStreaming).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(BadRequestError);
    expect((missing as BadRequestError).error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
    expect(await client.messages.create(params({ model: 'gpt-4' })).catch((e: unknown) => e)).toBeInstanceOf(NotFoundError);
    const fiveBreakpoints = params({
      system: Array.from({ length: 5 }, (_, i) => ({ type: 'text' as const, text: `part ${i}`, cache_control: { type: 'ephemeral' as const } })),
    });
    expect(String(await client.messages.create(fiveBreakpoints).catch((e: unknown) => e))).toMatch(/maximum of 4 blocks with cache_control/);

    const noKey = await fetch(`${sim.url}/v1/messages`, { method: 'POST', headers: { 'anthropic-version': '2023-06-01' }, body: JSON.stringify(params()) });
    expect(noKey.status).toBe(401);
    const body = (await noKey.json()) as Record<string, unknown>;
    expect(body).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'x-api-key header is required' }, request_id: noKey.headers.get('request-id') });
    expect(sim.ledger.requests.byStatus).toMatchObject({ '400': 2, '404': 1, '401': 1 });
  });

  it('accepts only the configured key when one is set', async () => {
    const { sim } = await start({ apiKey: 'sim-key' });
    const wrong = new Anthropic({ apiKey: 'other', baseURL: sim.url, maxRetries: 0 });
    expect(await wrong.messages.create(params()).catch((e: unknown) => (e as APIError).status)).toBe(401);
    const right = new Anthropic({ apiKey: 'sim-key', baseURL: sim.url, maxRetries: 0 });
    expect((await right.messages.create(params())).type).toBe('message');
  });
});

describe('many requests at once', () => {
  it('50 paced streams in flight leave no listener warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const { client } = await start({ ttftMs: 50, tokensPerSecond: 5_000 });
      const texts = await Promise.all(Array.from({ length: 50 }, async () => (await client.messages.stream(params({ max_tokens: 512 })).finalMessage()).content.length));
      expect(texts.every((n) => n === 1)).toBe(true);
      // Warnings are emitted on the next tick.
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
  });

  it('a reply that meets backpressure many times keeps one close listener (writable)', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let waits = 0;
    let most = 0;
    const server = createServer((_req, res) => {
      void (async () => {
        for (let i = 0; i < 160; i++) {
          if (!res.write(chunk)) {
            waits++;
            await writable(res);
          }
          most = Math.max(most, res.listenerCount('close'));
        }
        res.end();
      })();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const received = await new Promise<number>((resolve, reject) => {
        get(`http://127.0.0.1:${port}/`, (res) => {
          let bytes = 0;
          // A slow reader: pauses after every piece, so the server's writes back up again and again.
          res.on('data', (d: Buffer) => {
            bytes += d.length;
            res.pause();
            setTimeout(() => res.resume(), 1);
          });
          res.on('end', () => resolve(bytes));
          res.on('error', reject);
        }).on('error', reject);
      });
      expect(received).toBe(160 * chunk.length);
      expect(waits).toBeGreaterThan(10);
      expect(most).toBeLessThanOrEqual(2);
    } finally {
      server.close();
    }
  });
});

describe('faults', () => {
  it('a 429 reaches the SDK as RateLimitError with its retry headers', async () => {
    const { sim, client } = await start({ faults: { sequence: ['429'], retryAfterMs: 1500 } });
    const error = await client.messages.create(params()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    const headers = (error as RateLimitError).headers;
    expect(headers?.get('retry-after')).toBe('2');
    expect(headers?.get('retry-after-ms')).toBe('1500');
    expect((error as RateLimitError).error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect((await client.messages.create(params())).type).toBe('message');
    expect(sim.ledger.responses429).toBe(1);
    expect(sim.ledger.faults.byKind['429']).toBe(1);
  });

  it('529 is InternalServerError with status 529; 500 too', async () => {
    const { client } = await start({ faults: { sequence: ['529', '500'] } });
    const overloaded = await client.messages.create(params()).catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(InternalServerError);
    expect((overloaded as InternalServerError).status).toBe(529);
    expect((overloaded as InternalServerError).error).toMatchObject({ error: { type: 'overloaded_error' } });
    const internal = await client.messages.create(params()).catch((e: unknown) => e);
    expect((internal as InternalServerError).status).toBe(500);
  });

  it('a mid-stream error event makes the SDK throw after some text', async () => {
    const { sim, client } = await start({ faults: { sequence: ['midstream'], midstreamAfterDeltas: 4 } });
    const stream = client.messages.stream(params());
    const texts: string[] = [];
    stream.on('text', (t) => texts.push(t));
    stream.on('error', () => undefined);
    const error = await stream.finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(String(error)).toMatch(/Overloaded/);
    expect(texts).toHaveLength(4);
    // A cut reply books no tokens.
    expect(sim.ledger.messages.realtime).toBe(0);
    expect(sim.ledger.faults.byKind.midstream).toBe(1);
  });

  it('a connection reset is APIConnectionError; a hang times the client out', async () => {
    const { sim, client } = await start({ faults: { sequence: ['reset'] } });
    expect(await client.messages.create(params()).catch((e: unknown) => e)).toBeInstanceOf(APIConnectionError);
    expect(sim.ledger.requests.byStatus['reset']).toBe(1);
    sim.setFaults({ sequence: ['hang'], hangMs: 5000 });
    expect(await client.messages.create(params(), { timeout: 100 }).catch((e: unknown) => e)).toBeInstanceOf(APIConnectionTimeoutError);
  });

  it('malformed output fails the gates; rules follow the requirement, not the arrival order', async () => {
    const { sim, client } = await start({ faults: { rules: [{ match: 'FLAKY', sequence: ['malformed', '529'] }] } });
    const flaky = params({ messages: [{ role: 'user', content: `<requirement>FLAKY ${REQUIREMENT}</requirement>` }] });
    const broken = await client.messages.create(flaky);
    const text = broken.content[0]?.type === 'text' ? broken.content[0].text : '';
    expect(await agentPasses(text, `FLAKY ${REQUIREMENT}`)).toBe(false);
    expect((await client.messages.create(params())).type).toBe('message');
    expect(((await client.messages.create(flaky).catch((e: unknown) => e)) as APIError).status).toBe(529);
    expect((await client.messages.create(flaky)).type).toBe('message');
    expect(sim.ledger.faults).toEqual({ total: 2, byKind: { malformed: 1, '529': 1 } });
  });

  it('a random fault rate with a seed is repeatable', async () => {
    const outcomes = async (): Promise<string[]> => {
      const { client } = await start({ faults: { rate: 0.5 }, seed: 7 });
      const out: string[] = [];
      for (let i = 0; i < 12; i++) {
        out.push(
          await client.messages
            .create(params({ max_tokens: 20 }))
            .then(() => 'ok')
            .catch((e: unknown) => (e instanceof APIError && e.status !== undefined ? String(e.status) : 'conn')),
        );
      }
      return out;
    };
    const first = await outcomes();
    expect(first).toEqual(await outcomes());
    expect(first.filter((o) => o !== 'ok').length).toBeGreaterThan(2);
  });
});

describe('prompt cache and ledger', () => {
  it('the second identical long prefix reads the cache; short prefixes are not cached', async () => {
    const { client } = await start();
    const first = await client.messages.create(cachedParams());
    const second = await client.messages.create(cachedParams('Write SQL migrations for PostgreSQL'));
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(1024);
    expect(first.usage.cache_read_input_tokens).toBe(0);
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
    expect(second.usage.input_tokens).toBeLessThan(30);

    // Haiku 4.5 needs 4,096 tokens: the same prefix is silently not cached.
    const haiku = await client.messages.create({ ...cachedParams(), model: 'claude-haiku-4-5' });
    expect(haiku.usage.cache_creation_input_tokens).toBe(0);
    expect(haiku.usage.input_tokens).toBe(first.usage.input_tokens + (first.usage.cache_creation_input_tokens ?? 0));
  });

  it('cached prefixes expire after 5 minutes, or 1 hour with ttl 1h', async () => {
    let clock = 1_000_000;
    const { client } = await start({ now: () => clock });
    await client.messages.create(cachedParams());
    clock += 4 * 60_000;
    expect((await client.messages.create(cachedParams())).usage.cache_read_input_tokens).toBeGreaterThan(0);
    clock += 4 * 60_000; // the read refreshed the TTL
    expect((await client.messages.create(cachedParams())).usage.cache_read_input_tokens).toBeGreaterThan(0);
    clock += 6 * 60_000;
    expect((await client.messages.create(cachedParams())).usage.cache_read_input_tokens).toBe(0);

    const hour = params({ system: [{ type: 'text', text: LONG_PREFIX, cache_control: { type: 'ephemeral', ttl: '1h' } }] });
    const written = await client.messages.create(hour);
    expect(written.usage.cache_creation).toMatchObject({ ephemeral_1h_input_tokens: written.usage.cache_creation_input_tokens, ephemeral_5m_input_tokens: 0 });
    clock += 50 * 60_000;
    expect((await client.messages.create(hour)).usage.cache_read_input_tokens).toBe(written.usage.cache_creation_input_tokens);
  });

  it('the ledger equals the sum of the usages the SDK returned', async () => {
    const { sim, client } = await start({ faults: { sequence: ['ok', '529', 'ok', 'midstream'] } });
    const usages: Usage[] = [];
    const collect = async (run: () => Promise<Message>): Promise<void> => {
      await run().then(
        (m) => void usages.push(m.usage),
        () => undefined,
      );
    };
    await collect(() => client.messages.create(cachedParams()));
    await collect(() => client.messages.create(cachedParams()));
    await collect(() => client.messages.stream(cachedParams('Write SQL migrations for PostgreSQL')).finalMessage());
    const cut = client.messages.stream(cachedParams());
    cut.on('error', () => undefined);
    await collect(() => cut.finalMessage());
    await collect(() => client.messages.stream(params()).finalMessage());
    await Promise.all(Array.from({ length: 5 }, (_, i) => collect(() => client.messages.create(cachedParams(`Agent ${i} for Terraform modules`)))));
    expect(usages).toHaveLength(8);
    expect(sim.ledger.tokens.realtime).toEqual(toCounts(usages));
    expect(sim.ledger.messages.realtime).toBe(8);
    expect(sim.ledger.tokens.realtime.cacheRead).toBeGreaterThan(0);
    expect(sim.ledger.costUsd.realtime).toBeGreaterThan(0);
    expect(sim.ledger.requests.byEndpoint['POST /v1/messages']).toBe(10);

    const viaHttp = (await (await fetch(`${sim.url}/_ledger`)).json()) as { tokens: { realtime: TokenCounts } };
    expect(viaHttp.tokens.realtime).toEqual(sim.ledger.tokens.realtime);
  });
});

describe('message batches', () => {
  it('create, retrieve, results (with an expired and an errored item), billed as batch', async () => {
    const { sim, client } = await start({ batch: { processingMs: 150, expire: ['r-2'] } });
    const requests = [0, 1, 2, 3].map((i) => ({ custom_id: `r-${i}`, params: cachedParams(`Agent ${i} that writes Kubernetes manifests`) }));
    requests.push({ custom_id: 'r-bad', params: { model: MODEL, messages: cachedParams().messages } as MessageCreateParamsNonStreaming });
    const created = await client.messages.batches.create({ requests });
    expect(created).toMatchObject({ type: 'message_batch', processing_status: 'in_progress', results_url: null, ended_at: null, archived_at: null, cancel_initiated_at: null });
    expect(created.request_counts).toEqual({ processing: 5, succeeded: 0, errored: 0, canceled: 0, expired: 0 });
    expect(Date.parse(created.expires_at) - Date.parse(created.created_at)).toBe(24 * 60 * 60_000);

    let batch = await client.messages.batches.retrieve(created.id);
    while (batch.processing_status !== 'ended') {
      await new Promise((r) => setTimeout(r, 50));
      batch = await client.messages.batches.retrieve(created.id);
    }
    expect(batch.request_counts).toEqual({ processing: 0, succeeded: 3, errored: 1, canceled: 0, expired: 1 });
    expect(batch.results_url).toBe(`${sim.url}/v1/messages/batches/${created.id}/results`);
    expect(batch.ended_at).not.toBeNull();

    const results = new Map<string, Awaited<ReturnType<typeof client.messages.batches.results>> extends AsyncIterable<infer T> ? T : never>();
    for await (const line of await client.messages.batches.results(created.id)) results.set(line.custom_id, line);
    expect([...results.keys()].sort()).toEqual(['r-0', 'r-1', 'r-2', 'r-3', 'r-bad']);
    expect(results.get('r-2')?.result).toEqual({ type: 'expired' });
    expect(results.get('r-bad')?.result).toMatchObject({ type: 'errored', error: { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } } });
    const usages = ['r-0', 'r-1', 'r-3'].map((id) => {
      const r = results.get(id)?.result;
      if (r?.type !== 'succeeded') throw new Error(`${id} did not succeed`);
      return r.message.usage;
    });
    for (const u of usages) expect(u.service_tier).toBe('batch');
    // The batch shares the prefix: one request writes it, the others read it.
    expect(usages.filter((u) => (u.cache_read_input_tokens ?? 0) > 0)).toHaveLength(2);
    expect(sim.ledger.tokens.batch).toEqual(toCounts(usages));
    expect(sim.ledger.tokens.realtime).toEqual({ input: 0, output: 0, cacheCreation: 0, cacheRead: 0 });
    expect(sim.ledger.batches).toEqual({ created: 1, requests: 5, results: { succeeded: 3, errored: 1, canceled: 0, expired: 1 } });
  });

  it('validates custom_ids, cancels, lists', async () => {
    const { client } = await start({ batch: { processingMs: 60_000 } });
    const bad = await client.messages.batches.create({ requests: [{ custom_id: 'has space', params: params() }] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(BadRequestError);
    const dup = await client.messages.batches.create({ requests: [{ custom_id: 'a', params: params() }, { custom_id: 'a', params: params() }] }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(BadRequestError);

    const created = await client.messages.batches.create({ requests: [{ custom_id: 'a', params: params() }, { custom_id: 'b', params: params() }] });
    const canceling = await client.messages.batches.cancel(created.id);
    expect(canceling.processing_status).toBe('canceling');
    expect(canceling.cancel_initiated_at).not.toBeNull();
    await new Promise((r) => setTimeout(r, 20));
    const ended = await client.messages.batches.retrieve(created.id);
    expect(ended.processing_status).toBe('ended');
    expect(ended.request_counts.canceled).toBe(2);
    const page = await client.messages.batches.list({ limit: 10 });
    expect(page.data.map((b) => b.id)).toEqual([created.id]);
  });
});

describe('rate limits', () => {
  it('more requests than rpm in a minute → 429 with retry-after, counted in the ledger; headers on every reply', async () => {
    const { sim, client } = await start({ limits: { rpm: 3, itpm: 100_000, otpm: 50_000 } });
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => client.messages.create(params()).withResponse().catch((e: unknown) => e)));
    const refused = outcomes.filter((o): o is RateLimitError => o instanceof RateLimitError);
    expect(refused).toHaveLength(2);
    const retryAfter = Number(refused[0]?.headers?.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(20);
    expect(Number(refused[0]?.headers?.get('retry-after-ms'))).toBeGreaterThan(0);
    expect(refused[0]?.headers?.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    const ok = outcomes.find((o): o is { data: Message; response: Response } => !(o instanceof Error))!;
    expect(ok.response.headers.get('anthropic-ratelimit-requests-limit')).toBe('3');
    expect(ok.response.headers.get('anthropic-ratelimit-input-tokens-limit')).toBe('100000');
    expect(ok.response.headers.get('anthropic-ratelimit-output-tokens-limit')).toBe('50000');
    expect(Date.parse(ok.response.headers.get('anthropic-ratelimit-requests-reset') ?? '')).toBeGreaterThan(Date.now() - 1000);
    expect(sim.ledger.rateLimited.requests).toBe(2);
    expect(sim.ledger.responses429).toBe(2);
    expect(sim.ledger.messages.realtime).toBe(3);
  });

  it('OTPM reserves max_tokens and refunds the unused part; the bucket refills over the minute', async () => {
    let clock = 0;
    const { sim, client } = await start({ limits: { otpm: 10_000 }, now: () => clock });
    await client.messages.create(params({ max_tokens: 8000 }));
    // ~1,000 tokens were used and the rest refunded: another 8,000 reservation fits.
    await client.messages.create(params({ max_tokens: 8000 }));
    const refused = await client.messages.create(params({ max_tokens: 9000 })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitError);
    expect(sim.ledger.rateLimited['output-tokens']).toBe(1);
    clock += 60_000;
    expect((await client.messages.create(params({ max_tokens: 9000 }))).type).toBe('message');
  });

  it('drainLimits empties every bucket at once; they refill at their rate from then on (limitLevels shows them)', async () => {
    let clock = 0;
    const { sim, client } = await start({ limits: { rpm: 60, otpm: 60_000 }, now: () => clock });
    expect(sim.limitLevels()).toEqual({ requests: 60, 'output-tokens': 60_000 });
    sim.drainLimits();
    expect(sim.limitLevels()).toEqual({ requests: 0, 'output-tokens': 0 });
    const refused = await client.messages.create(params({ max_tokens: 1000 })).withResponse().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitError);
    expect((refused as RateLimitError).headers?.get('anthropic-ratelimit-output-tokens-remaining')).toBe('0');
    // A second refills one request and 1,000 output tokens: exactly this one.
    clock += 1000;
    expect(sim.limitLevels()).toEqual({ requests: 1, 'output-tokens': 1000 });
    const reply = await client.messages.create(params({ max_tokens: 1000 }));
    // The request and its output are spent; the unused part of max_tokens came back.
    expect(sim.limitLevels()).toEqual({ requests: 0, 'output-tokens': 1000 - reply.usage.output_tokens });
    expect(sim.ledger.rateLimited).toMatchObject({ requests: 1, 'output-tokens': 0 });
  });
});

describe('agent-factory sim', () => {
  it('prints the base URL and the env lines, serves, stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, 'sim', '--port', '0', '--ttft-ms', '0', '--tokens-per-s', '100000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const baseUrl = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        const m = /^ANTHROPIC_BASE_URL=(\S+)$/m.exec(stdout);
        if (m && /ANTHROPIC_API_KEY=sim-key/.test(stdout)) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error(`sim exited: ${stderr}`)));
    });
    const client = new Anthropic({ apiKey: 'sim-key', baseURL: baseUrl, maxRetries: 0 });
    expect((await client.messages.create(params())).type).toBe('message');
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    expect(stderr).toMatch(/sim: 1 requests/);
  });
  it('does not print a chosen API key on stdout: masked', async () => {
    const key = 'sk-ant-api03-secretsecret-XYZ9';
    const child = spawn(process.execPath, [CLI, 'sim', '--port', '0', '--api-key', key], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (/ANTHROPIC_API_KEY/.test(stdout)) resolve();
      });
      child.once('exit', () => reject(new Error('sim exited')));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    expect(stdout).not.toContain('secretsecret');
    expect(stdout).toMatch(/ANTHROPIC_API_KEY: the key given with --api-key \/ AF_SIM_API_KEY \(sk-ant…Z9\)/);
  });
});
