import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { connect as connectSocket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchKeys, batchOverview, cancelBatch, COLLECTOR_QUEUE, connect, dropCancelledItems, markCancelled, STAGES, submitBatch, WEBHOOK_QUEUE, type BatchStatus, type FactoryConnection, type ItemResult } from '@agent-factory/queue';
import express from 'express';
import { startServer, type RunningServer } from '../apps/server/src/index.js';
import { ClientLimiter, streamBatchEvents } from '../apps/server/src/sse.js';
import { writeJsonArray } from '../apps/server/src/stream-json.js';
import { CLI, runCli, testEnv } from './helpers/cli.js';
import { limitMemory } from './helpers/maxmemory.js';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';
import { waitForBatch } from './helpers/queue-workers.js';
import { readEvents } from './helpers/sse.js';

const API_TOKEN = 'api-token-0123456789abcdef';
const VIEWER_TOKEN = 'viewer-token-0123456789abcdef';
const admin = { authorization: `Bearer ${API_TOKEN}` };
const viewer = { authorization: `Bearer ${VIEWER_TOKEN}` };
const basic = (token: string) => ({ authorization: `Basic ${Buffer.from(`anyone:${token}`).toString('base64')}` });

/** fetch does not let a caller set Host, so this one request goes through node:http. */
function statusWithHost(target: string, host: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(target, { headers: { ...headers, host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** An HTTP/1.0 request may come without Host at all, which no client library sends: a raw socket does. */
function statusWithoutHost(target: string): Promise<number> {
  const { port, pathname } = new URL(target);
  return new Promise((resolve, reject) => {
    const socket = connectSocket(Number(port), '127.0.0.1', () => socket.end(`GET ${pathname} HTTP/1.0\r\n\r\n`));
    let head = '';
    socket.setEncoding('utf8').on('data', (d: string) => (head += d));
    socket.on('error', reject).on('close', () => resolve(Number(/^HTTP\/1\.\d (\d+)/.exec(head)?.[1] ?? 0)));
  });
}

interface ErrorJson {
  error: { code: string; message: string; details?: { index?: number; field?: string; reason: string }[] };
}

async function json<T>(response: Response): Promise<T> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return (await response.json()) as T;
}

describe('agent-factory server', () => {
  let redis: TestRedis;
  let prefix: string;
  let conn: FactoryConnection;
  let server: RunningServer;
  let url: string;
  const worker: { child?: ChildProcess } = {};

  beforeAll(async () => {
    redis = await startRedis({ appendonly: false });
    prefix = testPrefix();
    conn = await connect({ redisUrl: redis.url, prefix });
    server = await startServer(conn, { host: '127.0.0.1', port: 0, apiToken: API_TOKEN, viewerToken: VIEWER_TOKEN, ssePollMs: 100, maxSsePerClient: 2 });
    url = server.url;
  });

  afterAll(async () => {
    if (worker.child && worker.child.exitCode === null) {
      const child = worker.child;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
    await server?.close();
    await conn?.close();
    await redis?.stop();
  });

  /** Keys under the test prefix other than BullMQ's queue metadata: batches, items, jobs. */
  async function dataKeys(): Promise<string[]> {
    const keys = await conn.redis.keys(`${prefix}*`);
    return keys.filter((k) => !k.endsWith(':meta'));
  }

  it('answers /healthz and /readyz without a token', async () => {
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await json<{ status: string }>(health)).toEqual({ status: 'ok' });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it('answers 401 without a token or with a wrong one, and asks browsers for basic auth', async () => {
    for (const path of ['/api/batches', '/api/batches/x', '/admin/queues']) {
      const response = await fetch(`${url}${path}`);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/Basic realm=/);
      expect((await json<ErrorJson>(response)).error.code).toBe('unauthorized');
    }
    const wrong = await fetch(`${url}/api/batches`, { headers: { authorization: 'Bearer not-the-token-at-all' } });
    expect(wrong.status).toBe(401);
    const post = await fetch(`${url}/api/batches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '["x"]' });
    expect(post.status).toBe(401);
  });

  it('serves the full Bull Board to the API token (bearer or basic) with every stage queue', async () => {
    for (const headers of [admin, basic(API_TOKEN)]) {
      const page = await fetch(`${url}/admin/queues`, { headers });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      const html = await page.text();
      expect(html).toContain('__UI_CONFIG__');
      expect(html).toContain('<base href="/admin/queues/"');
      // The board's CSP lets its styles and fonts in but no inline script.
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self' 'unsafe-inline'");
      expect(csp).not.toContain('upgrade-insecure-requests');
    }
    const asset = /src="(static\/js\/main\.[^"]+\.js)"/.exec(await (await fetch(`${url}/admin/queues`, { headers: admin })).text())?.[1];
    expect(asset).toBeDefined();
    expect((await fetch(`${url}/admin/queues/${asset}`, { headers: admin })).status).toBe(200);

    const queues = await json<{ queues: { name: string; readOnlyMode: boolean; description?: string }[] }>(await fetch(`${url}/admin/queues/api/queues`, { headers: admin }));
    expect(queues.queues.map((q) => q.name).sort()).toEqual([...STAGES, COLLECTOR_QUEUE, WEBHOOK_QUEUE].sort());
    // Stage jobs are steps of batches: removing or retrying one there would leave its batch stuck or wrong.
    expect(queues.queues.filter((q) => !q.readOnlyMode).map((q) => q.name)).toEqual([WEBHOOK_QUEUE]);
    expect(queues.queues.find((q) => q.name === 'generate')?.description).toContain('agent-factory retry BATCH');
    const clean = await fetch(`${url}/admin/queues/api/queues/generate/clean/failed`, { method: 'PUT', headers: admin });
    expect(clean.status).toBe(405);
  });

  it('names each stage job in Bull Board by the requirement it works on', async () => {
    // A prefix and server of its own: the batch it submits is not the other cases' to find.
    const own = await connect({ redisUrl: redis.url, prefix: testPrefix() });
    const server = await startServer(own, { host: '127.0.0.1', port: 0, apiToken: API_TOKEN });
    try {
      const requirement = 'Review the Terraform modules of the billing team for public S3 buckets';
      const batch = await submitBatch(own, [{ id: 'bb1', requirement }]);
      // Nothing runs here: the analyze job waits; a research job as analyze would add it carries the plan.
      const job = await own.queues.research.add('research', { b: batch.id, k: 'k1', o: { plan: { plan: { analysis: { requirement } }, ms: 1 } } }, { jobId: 'bb-research-name' });
      const page = await json<{ queues: { name: string; jobs: { id: string; name: string }[] }[] }>(await fetch(`${server.url}/admin/queues/api/queues?activeQueue=research&status=waiting&page=1&jobsPerPage=10`, { headers: admin }));
      expect(page.queues.find((q) => q.name === 'research')?.jobs.find((j) => j.id === job.id)?.name).toBe(`research: ${requirement}`);
    } finally {
      await server.close(1000);
      await own.close();
    }
  });

  it('serves a read-only Bull Board to the viewer token and refuses its writes there', async () => {
    const page = await fetch(`${url}/admin/queues`, { headers: basic(VIEWER_TOKEN) });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('read-only');
    const queues = await json<{ queues: { name: string; readOnlyMode: boolean }[] }>(await fetch(`${url}/admin/queues/api/queues`, { headers: viewer }));
    expect(queues.queues).toHaveLength(STAGES.length + 2);
    expect(queues.queues.every((q) => q.readOnlyMode)).toBe(true);
    const pause = await fetch(`${url}/admin/queues/api/queues/analyze/pause`, { method: 'PUT', headers: viewer });
    expect(pause.status).toBe(403);
    expect(await conn.queues.analyze.isPaused()).toBe(false);
  });

  it('answers 403 to a viewer writing through the API', async () => {
    const post = await fetch(`${url}/api/batches`, { method: 'POST', headers: { ...viewer, 'content-type': 'application/json' }, body: '["an agent that reviews pull requests"]' });
    expect(post.status).toBe(403);
    expect((await json<ErrorJson>(post)).error.code).toBe('read_only');
    const del = await fetch(`${url}/api/batches/some-batch`, { method: 'DELETE', headers: viewer });
    expect(del.status).toBe(403);
    expect(await dataKeys()).toEqual([]);
  });

  it('sends strict security headers on the API', async () => {
    const response = await fetch(`${url}/api/nothing-here`, { headers: admin });
    expect(response.status).toBe(404);
    expect((await json<ErrorJson>(response)).error.code).toBe('not_found');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-powered-by')).toBeNull();
    // Plain HTTP here (TLS ends at a proxy): HSTS is the proxy's to send, on the API and the pages alike.
    for (const path of ['/api/nothing-here', '/', '/admin/queues']) {
      expect((await fetch(`${url}${path}`, { headers: admin })).headers.get('strict-transport-security')).toBeNull();
    }
  });

  describe('bad bodies: 400 with every bad item, nothing enqueued', () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${url}/api/batches`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json', ...headers }, body });

    it('refuses a body that is not JSON, JSON that is no list, and no body, each saying which', async () => {
      const response = await post('{"requirements": [');
      expect(response.status).toBe(400);
      expect((await json<ErrorJson>(response)).error).toMatchObject({ code: 'invalid_json', message: 'the request body is not valid JSON' });
      for (const body of ['"hello"', 'null']) {
        const strict = await post(body);
        expect(strict.status).toBe(400);
        expect((await json<ErrorJson>(strict)).error).toMatchObject({ code: 'invalid_json', message: 'the request body must be a JSON array or object' });
      }
      const empty = await post('');
      expect(empty.status).toBe(400);
      expect((await json<ErrorJson>(empty)).error.code).toBe('empty_body');
    });

    it('answers 400, never 500, to a body that does not inflate and to a malformed path', async () => {
      const inflate = await post('["x"]', { 'content-encoding': 'gzip' });
      expect(inflate.status).toBe(400);
      expect((await json<ErrorJson>(inflate)).error.code).toBe('bad_request');
      const path = await fetch(`${url}/api/batches/%E0%A4%A`, { headers: viewer });
      expect(path.status).toBe(400);
      expect((await json<ErrorJson>(path)).error.code).toBe('bad_request');
    });

    it('refuses a body sent as something other than JSON', async () => {
      const response = await post('an agent that reviews pull requests', { 'content-type': 'text/plain' });
      expect(response.status).toBe(415);
      expect((await json<ErrorJson>(response)).error.code).toBe('unsupported_media_type');
    });

    it('refuses an empty array and an empty envelope', async () => {
      for (const body of ['[]', '{"requirements": []}']) {
        const response = await post(body);
        expect(response.status).toBe(400);
        expect((await json<ErrorJson>(response)).error.message).toMatch(/no requirements/);
      }
    });

    it('names every bad item by index: too long, wrong types, bad tier, unknown field', async () => {
      const items = [
        'an agent that reviews Terraform plans',
        'x'.repeat(8001),
        42,
        { requirement: 5 },
        { requirement: 'a security reviewer', tier: 'huge' },
        { requirement: 'a docs writer', teir: 'simple' },
        { id: 'a', requirement: 'first' },
        { id: 'a', requirement: 'second' },
        null,
        '   ',
      ];
      const response = await post(JSON.stringify(items));
      expect(response.status).toBe(400);
      const body = await json<ErrorJson>(response);
      expect(body.error.code).toBe('invalid_body');
      const details = body.error.details ?? [];
      expect(details.map((d) => d.index)).toEqual([1, 2, 3, 4, 5, 7, 8, 9]);
      expect(details[0]?.reason).toMatch(/8000/);
      expect(body.error.message).toMatch(/8 of 10/);
      // A body of many bad items is counted whole but listed in part: the answer stays small.
      const many = await post(JSON.stringify(Array.from({ length: 50_000 }, () => 0)));
      const manyBody = await json<ErrorJson>(many);
      expect(manyBody.error.message).toBe('50000 of 50000 requirements are not valid (the first 1000 are listed); nothing was enqueued');
      expect(manyBody.error.details).toHaveLength(1000);
    });

    it('checks the envelope fields and the Idempotency-Key header', async () => {
      const cases: [string, Record<string, string>?][] = [
        ['{"requirements": "an agent"}'],
        ['{"priority": "high", "requirements": ["an agent"]}'],
        ['{"priority": 11, "requirements": ["an agent"]}'],
        ['{"name": 7, "requirements": ["an agent"]}'],
        ['{"requirement": "an agent"}'],
        ['"just a string"'],
        ['["an agent"]', { 'idempotency-key': 'has spaces in it' }],
        ['{"idempotencyKey": "k1", "requirements": ["an agent"]}', { 'idempotency-key': 'k2' }],
      ];
      for (const [body, headers] of cases) {
        const response = await post(body, headers);
        expect(response.status, body).toBe(400);
        const error = (await json<ErrorJson>(response)).error;
        expect(error.message.length).toBeGreaterThan(0);
      }
    });

    it('answers 413 to a body over the limit', async () => {
      const big = JSON.stringify(Array.from({ length: 200 }, () => 'y'.repeat(6000)));
      expect(big.length).toBeGreaterThan(1024 * 1024);
      const response = await post(big);
      expect(response.status).toBe(413);
      expect((await json<ErrorJson>(response)).error).toEqual({ code: 'body_too_large', message: 'the request body is over the limit of 1048576 bytes (the server\'s AF_BODY_LIMIT)' });
    });

    it('left nothing in Redis', async () => {
      expect(await dataKeys()).toEqual([]);
      for (const stage of STAGES) expect(await conn.queues[stage].count()).toBe(0);
    });
  });

  it('answers 400 to a malformed batch id', async () => {
    const response = await fetch(`${url}/api/batches/${encodeURIComponent('bad:id')}`, { headers: admin });
    expect(response.status).toBe(400);
    expect((await json<ErrorJson>(response)).error.code).toBe('invalid_id');
  });

  it('answers a method a route does not serve with 405 and Allow; an unknown path stays 404', async () => {
    const cases: [string, string, string][] = [
      ['PUT', '/api/batches/b_some', 'DELETE, GET, HEAD'],
      ['DELETE', '/api/batches', 'GET, HEAD, POST'],
      ['PATCH', '/api/batches/b_some/events', 'GET, HEAD'],
      ['POST', '/healthz', 'GET, HEAD'],
      ['DELETE', '/api/dashboard', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const response = await fetch(`${url}${path}`, { method, headers: admin });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.get('allow')).toBe(allow);
      expect((await json<ErrorJson>(response)).error).toEqual({ code: 'method_not_allowed', message: `${method} is not served at ${path}; it takes ${allow}` });
    }
    expect((await fetch(`${url}/api/no-such-thing`, { method: 'PUT', headers: admin })).status).toBe(404);
  });

  it('refuses to listen off loopback without AF_API_TOKEN, and odd token set-ups', async () => {
    await expect(startServer(conn, { host: '0.0.0.0', port: 0 })).rejects.toThrow(/AF_API_TOKEN/);
    await expect(startServer(conn, { host: '::', port: 0 })).rejects.toThrow(/AF_API_TOKEN/);
    await expect(startServer(conn, { host: '127.0.0.1', port: 0, viewerToken: VIEWER_TOKEN })).rejects.toThrow(/AF_API_TOKEN/);
    await expect(startServer(conn, { host: '127.0.0.1', port: 0, apiToken: API_TOKEN, viewerToken: API_TOKEN })).rejects.toThrow(/differ/);
  });

  it('without a token works on loopback, for requests addressed to localhost only', async () => {
    const open = await startServer(conn, { host: '127.0.0.1', port: 0 });
    try {
      const page = await fetch(`${open.url}/admin/queues`);
      expect(page.status).toBe(200);
      // A page on another site reaching us through DNS rebinding names its own host.
      expect(await statusWithHost(`${open.url}/admin/queues`, 'evil.example')).toBe(403);
      expect(await statusWithHost(`${open.url}/admin/queues`, 'localhost')).toBe(200);
      expect(await statusWithoutHost(`${open.url}/admin/queues`)).toBe(403);
      // A page on another site posting to it (no preflight for text/plain): refused before anything runs.
      const crossSite: Record<string, string>[] = [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'null' }, { 'sec-fetch-site': 'same-site', origin: open.url }];
      for (const headers of crossSite) {
        const response = await fetch(`${open.url}/admin/queues/api/queues/generate/add`, { method: 'POST', headers: { 'content-type': 'text/plain', ...headers }, body: '{}' });
        expect(response.status, JSON.stringify(headers)).toBe(403);
        expect((await json<ErrorJson>(response)).error.code).toBe('cross_site');
      }
      expect(await conn.queues.generate.count()).toBe(0);
      // Its own pages, and scripts (no Origin), may write.
      const sameOrigin = await fetch(`${open.url}/api/batches/no-such-batch/retry`, { method: 'POST', headers: { origin: open.url, 'sec-fetch-site': 'same-origin' } });
      expect(sameOrigin.status).toBe(404);
      expect((await fetch(`${open.url}/api/batches/no-such-batch/retry`, { method: 'POST', headers: { origin: open.url } })).status).toBe(404);
      expect((await fetch(`${open.url}/api/batches/no-such-batch/retry`, { method: 'POST' })).status).toBe(404);
    } finally {
      await open.close();
    }
  });

  it('without a token behind a trusted proxy, still judges the Host header, not X-Forwarded-Host (which a rebinding page sets)', async () => {
    const proxied = await startServer(conn, { host: '127.0.0.1', port: 0, trustProxy: 'loopback' });
    try {
      expect(await statusWithHost(`${proxied.url}/api/batches`, 'evil.example', { 'x-forwarded-host': 'localhost' })).toBe(403);
      expect(await statusWithHost(`${proxied.url}/api/batches`, `localhost:${new URL(proxied.url).port}`, { 'x-forwarded-host': 'evil.example' })).toBe(200);
      expect(await statusWithHost(`${proxied.url}/api/batches`, '[::1]:80')).toBe(200);
    } finally {
      await proxied.close();
    }
  });

  describe('batches through the API', () => {
    let batch: BatchStatus;
    const requirements = [
      { id: 'tf', requirement: 'an agent that reviews Terraform plans for public S3 buckets' },
      { id: 'pr', requirement: 'a code reviewer for TypeScript pull requests' },
      'a technical writer that keeps README files up to date',
    ];
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${url}/api/batches`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

    // No worker runs in this block, so the batch stays running until it is cancelled.
    it('POST creates a batch (201); the same Idempotency-Key returns it again (200), with another body is refused (422)', async () => {
      const body = { name: 'server-test', tenant: 'acme', requirements };
      const created = await post(body, { 'idempotency-key': 'server-test-1' });
      expect(created.status).toBe(201);
      batch = await json<BatchStatus>(created);
      expect(batch).toMatchObject({ name: 'server-test', tenant: 'acme', inputs: 3, state: 'running' });
      expect(created.headers.get('location')).toBe(`/api/batches/${batch.id}`);
      // A replay answers the same batch, 200 rather than 201 Created.
      const replay = await post(body, { 'idempotency-key': 'server-test-1' });
      expect(replay.status).toBe(200);
      expect((await json<BatchStatus>(replay)).id).toBe(batch.id);
      const viaBody = await post({ ...body, idempotencyKey: 'server-test-1' });
      expect(viaBody.status).toBe(200);
      expect((await json<BatchStatus>(viaBody)).id).toBe(batch.id);
      // The key again with other requirements or settings is a client's mistake, not a replay.
      for (const other of [{ ...body, requirements: requirements.slice(1) }, { ...body, name: 'another-name' }]) {
        const reused = await post(other, { 'idempotency-key': 'server-test-1' });
        expect(reused.status).toBe(422);
        expect((await json<ErrorJson>(reused)).error).toMatchObject({ code: 'idempotency_key_reused', message: expect.stringContaining(batch.id) });
      }
      // Its results cannot be deleted before they are all in.
      const early = await fetch(`${url}/api/batches/${batch.id}/results`, { method: 'DELETE', headers: admin });
      expect(early.status).toBe(409);
      expect((await json<ErrorJson>(early)).error.code).toBe('batch_not_finished');
    });

    it('POSTs with one Idempotency-Key at the same moment make one batch: one 201, the others 200 with its id', async () => {
      const body = { name: 'server-race', requirements: Array.from({ length: 200 }, (_, i) => `an agent that checks race number ${i} of the idempotency keys`) };
      const answers = await Promise.all(Array.from({ length: 6 }, () => post(body, { 'idempotency-key': 'server-race-1' })));
      const statuses = answers.map((a) => a.status).sort();
      const ids = new Set((await Promise.all(answers.map((a) => json<BatchStatus>(a)))).map((b) => b.id));
      expect(statuses).toEqual([200, 200, 200, 200, 200, 201]);
      expect(ids.size).toBe(1);
      const raced = [...ids][0]!;
      const listed = await json<BatchStatus[]>(await fetch(`${url}/api/batches?limit=100`, { headers: admin }));
      expect(listed.filter((b) => b.name === 'server-race').map((b) => b.id)).toEqual([raced]);
      expect((await fetch(`${url}/api/batches/${raced}`, { method: 'DELETE', headers: admin })).status).toBe(202);
    });

    it('GET shows the batch to the viewer and lists it; unknown ids are 404', async () => {
      const one = await fetch(`${url}/api/batches/${batch.id}`, { headers: viewer });
      expect(one.status).toBe(200);
      expect((await json<BatchStatus>(one)).id).toBe(batch.id);
      const list = await json<BatchStatus[]>(await fetch(`${url}/api/batches?limit=10`, { headers: viewer }));
      expect(list.map((b) => b.id)).toContain(batch.id);
      for (const path of ['no-such-batch', 'no-such-batch/events', 'no-such-batch/results']) {
        const response = await fetch(`${url}/api/batches/${path}`, { headers: viewer });
        expect(response.status, path).toBe(404);
        expect((await json<ErrorJson>(response)).error.code).toBe('batch_not_found');
      }
    });

    it('frees a stream slot whose client left while the batch was still being read', async () => {
      // Redis holds every command for a moment, so both clients give up before their stream starts.
      await conn.redis.call('CLIENT', 'PAUSE', '600', 'ALL');
      const gaveUp = await Promise.all(
        [1, 2].map(() => fetch(`${url}/api/batches/${batch.id}/events`, { headers: viewer, signal: AbortSignal.timeout(150) }).then(() => 'answered', () => 'gave up')),
      );
      expect(gaveUp).toEqual(['gave up', 'gave up']);
      await new Promise((resolve) => setTimeout(resolve, 900));
      const streams = await Promise.all([1, 2].map(() => fetch(`${url}/api/batches/${batch.id}/events`, { headers: viewer })));
      expect(streams.map((s) => s.status)).toEqual([200, 200]);
      await Promise.all(streams.map((s) => s.body!.cancel()));
      await new Promise((resolve) => setTimeout(resolve, 100));
    });

    it('behind a trusted proxy (AF_TRUST_PROXY), counts event streams per forwarded client, not per proxy', async () => {
      const proxied = await startServer(conn, { host: '127.0.0.1', port: 0, apiToken: API_TOKEN, maxSsePerClient: 1, trustProxy: 'loopback' });
      try {
        const open = (client: string) => fetch(`${proxied.url}/api/batches/${batch.id}/events`, { headers: { ...admin, 'x-forwarded-for': client } });
        const [first, second, again] = [await open('203.0.113.1'), await open('203.0.113.2'), await open('203.0.113.1')];
        expect([first.status, second.status, again.status]).toEqual([200, 200, 429]);
        await Promise.all([first, second].map((s) => s.body!.cancel()));
        await again.text();
      } finally {
        await proxied.close();
      }
    });

    it('answers HEAD on a running batch\'s event stream at once, without taking a stream slot', async () => {
      for (let i = 0; i < 3; i++) {
        const head = await fetch(`${url}/api/batches/${batch.id}/events`, { method: 'HEAD', headers: viewer, signal: AbortSignal.timeout(5000) });
        expect(head.status).toBe(200);
        expect(head.headers.get('content-type')).toMatch(/^text\/event-stream/);
      }
    });

    it('streams progress over SSE, caps streams per client (429), and ends them when the batch is cancelled', async () => {
      const streams = await Promise.all([1, 2].map(() => fetch(`${url}/api/batches/${batch.id}/events`, { headers: viewer })));
      for (const stream of streams) {
        expect(stream.status).toBe(200);
        expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
      }
      const third = await fetch(`${url}/api/batches/${batch.id}/events`, { headers: viewer });
      expect(third.status).toBe(429);
      expect((await json<ErrorJson>(third)).error.code).toBe('too_many_streams');

      const reading = streams.map((stream) => readEvents(stream, (seen) => seen.some((e) => e.event === 'end')));
      const cancelled = await fetch(`${url}/api/batches/${batch.id}`, { method: 'DELETE', headers: admin });
      // Accepted at once: the batch is cancelled; its items end after the answer.
      expect(cancelled.status).toBe(202);
      expect(await json<BatchStatus>(cancelled)).toMatchObject({ id: batch.id, state: 'cancelled' });
      for (const events of await Promise.all(reading)) {
        expect(events[0]?.event).toBe('progress');
        expect((JSON.parse(events[0]!.data) as BatchStatus).id).toBe(batch.id);
        expect(events.at(-1)?.event).toBe('end');
        expect((JSON.parse(events.at(-1)!.data) as BatchStatus).state).toBe('cancelled');
      }
      // The streams are closed, so the client may open new ones.
      const again = await fetch(`${url}/api/batches/${batch.id}/events`, { headers: viewer });
      expect(again.status).toBe(200);
      expect((await readEvents(again, () => false)).map((e) => e.event)).toEqual(['progress', 'end']);

      const results = await json<ItemResult[]>(await fetch(`${url}/api/batches/${batch.id}/results`, { headers: viewer }));
      expect(results.map((r) => r.inputId)).toEqual(['tf', 'pr', 'item-2']);
      // A page of them, with the count to page through.
      const page = await fetch(`${url}/api/batches/${batch.id}/results?offset=1&limit=1`, { headers: viewer });
      expect(page.headers.get('x-total-count')).toBe('3');
      expect((await json<ItemResult[]>(page)).map((r) => r.inputId)).toEqual(['pr']);
      expect(await json<ItemResult[]>(await fetch(`${url}/api/batches/${batch.id}/results?offset=3`, { headers: viewer }))).toEqual([]);
      const badPage = await fetch(`${url}/api/batches/${batch.id}/results?limit=0`, { headers: viewer });
      expect(badPage.status).toBe(400);
      expect((await json<ErrorJson>(badPage)).error).toMatchObject({ code: 'invalid_query', message: expect.stringMatching(/^limit: /) });
      const twice = await fetch(`${url}/api/batches/${batch.id}/results?limit=1&limit=2`, { headers: viewer });
      expect(twice.status).toBe(400);
      expect((await json<ErrorJson>(twice)).error).toEqual({ code: 'invalid_query', message: 'limit: given more than once' });
      expect(results.every((r) => r.state === 'cancelled')).toBe(true);
      // Once they have ended, another DELETE has nothing left to do: the final status, 200.
      const settledAgain = await fetch(`${url}/api/batches/${batch.id}`, { method: 'DELETE', headers: admin });
      expect(settledAgain.status).toBe(200);
      expect(await json<BatchStatus>(settledAgain)).toMatchObject({ state: 'cancelled', counts: { pending: 0, cancelled: 3 } });
      expect((await fetch(`${url}/api/batches/no-such-batch`, { method: 'DELETE', headers: admin })).status).toBe(404);

      // Collected: a viewer may not delete the results; the API token does, and the batch is gone.
      expect((await fetch(`${url}/api/batches/${batch.id}/results`, { method: 'DELETE', headers: viewer })).status).toBe(403);
      const deleted = await fetch(`${url}/api/batches/${batch.id}/results`, { method: 'DELETE', headers: admin });
      expect(deleted.status).toBe(200);
      expect(await json<{ id: string; deleted: boolean }>(deleted)).toEqual({ id: batch.id, deleted: true });
      expect((await fetch(`${url}/api/batches/${batch.id}`, { headers: viewer })).status).toBe(404);
      expect((await fetch(`${url}/api/batches/${batch.id}/results`, { method: 'DELETE', headers: admin })).status).toBe(404);
    }, 20_000);

    it('DELETE of a batch whose cancel was cut short answers 202 at once and ends the rest in the background', async () => {
      const items = Array.from({ length: 1500 }, (_, i) => ({ id: `c${i}`, requirement: `an agent that audits service ${i} for leaked secrets` }));
      const big = await submitBatch(conn, items, { name: 'cut-short' });
      // A cancel that died after its first page: cancelled, 1,000 items still pending.
      await markCancelled(conn, big.id);
      await dropCancelledItems(conn, big.id, { limit: 500 });
      const accepted = await fetch(`${url}/api/batches/${big.id}`, { method: 'DELETE', headers: admin });
      expect(accepted.status).toBe(202);
      expect(await json<BatchStatus>(accepted)).toMatchObject({ state: 'cancelled', counts: { cancelled: 500, pending: 1000 } });
      const end = await readEvents(await fetch(`${url}/api/batches/${big.id}/events`, { headers: viewer }), (seen) => seen.some((e) => e.event === 'end'));
      expect(JSON.parse(end.at(-1)!.data) as BatchStatus).toMatchObject({ state: 'cancelled', counts: { pending: 0, cancelled: 1500 } });
      const jobs = await Promise.all(STAGES.map((stage) => conn.queues[stage].getJobCounts('prioritized', 'wait', 'delayed')));
      expect(jobs.flatMap((counts) => Object.values(counts)).reduce((a, b) => a + b, 0)).toBe(0);
    }, 20_000);

    it('runs a batch to completion on a worker process: SSE end, then every result', async () => {
      worker.child = spawn(process.execPath, [CLI, 'worker'], {
        env: testEnv({ REDIS_URL: redis.url, AF_PREFIX: prefix, AF_PROVIDER: 'offline', AF_RESEARCH: 'local', LOG_LEVEL: 'warn' }),
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const child = worker.child;
      // A worker that dies (or never starts) fails the test at once instead of leaving the stream waiting.
      const died = new Promise<never>((_resolve, reject) => child.once('exit', (code) => reject(new Error(`the worker exited with ${code}`))));
      died.catch(() => undefined); // it also exits, on purpose, in afterAll
      const created = await json<BatchStatus>(await post({ name: 'server-e2e', requirements }));
      const response = await fetch(`${url}/api/batches/${created.id}/events`, { headers: viewer });
      const events = await Promise.race([readEvents(response, (seen) => seen.some((e) => e.event === 'end')), died]);
      expect(events[0]?.event).toBe('progress');
      const final = JSON.parse(events.at(-1)!.data) as BatchStatus;
      expect(events.at(-1)?.event).toBe('end');
      expect(final.state).toBe('completed');
      expect(final.counts.completed).toBe(final.total);

      const results = await fetch(`${url}/api/batches/${created.id}/results`, { headers: viewer });
      expect(results.status).toBe(200);
      const items = await json<ItemResult[]>(results);
      expect(items.map((r) => r.inputId)).toEqual(['tf', 'pr', 'item-2']);
      for (const item of items) {
        expect(item.state).toBe('completed');
        expect(item.content).toMatch(/^---\nname: /);
      }
    }, 60_000);
  });
});

describe('/readyz', () => {
  it('answers 503 once Redis is gone', async () => {
    const redis = await startRedis({ appendonly: false });
    const conn = await connect({ redisUrl: redis.url, prefix: testPrefix() });
    conn.redis.on('error', () => undefined);
    const server = await startServer(conn, { host: '127.0.0.1', port: 0, readyTimeoutMs: 300 });
    try {
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      await redis.stop();
      const response = await fetch(`${server.url}/readyz`);
      expect(response.status).toBe(503);
      // It says what went wrong, not a timeout that did not happen.
      expect(await response.json()).toMatchObject({ status: 'unavailable', error: { message: expect.stringMatching(/^Redis is not answering: /) } });
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      // Bull Board's API says so as the factory's does, not a 500 with ioredis's words.
      const board = await fetch(`${server.url}/admin/queues/api/queues?activeQueue=analyze&page=1&jobsPerPage=10`);
      expect(board.status).toBe(503);
      expect(await board.json()).toEqual({ error: { code: 'redis_unavailable', message: 'Redis is not answering; try again shortly' } });
      expect(board.headers.get('retry-after')).toBe('2');
    } finally {
      await server.close();
      await Promise.race([conn.close(), new Promise((r) => setTimeout(r, 2000))]);
    }
  });
});

describe('agent-factory serve', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis({ appendonly: false });
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('prints the Bull Board URL, serves, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
      env: testEnv({ REDIS_URL: redis.url, AF_PREFIX: testPrefix(), AF_API_TOKEN: API_TOKEN, AF_HOST: '', LOG_FORMAT: 'pretty' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8');
    const board = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: string) => {
        stdout += d;
        const match = /Bull Board at (http:\/\/\S+\/admin\/queues)/.exec(stdout);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    expect(board).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/admin\/queues$/);
    expect((await fetch(board, { headers: admin })).status).toBe(200);
    expect((await fetch(board)).status).toBe(401);
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    // LOG_FORMAT=pretty: its warning (this Redis keeps nothing on disk) as a line for a person, not JSON.
    expect(stderr).toMatch(/WARN.*Redis persistence is off/);
    expect(stderr).not.toMatch(/^\{/m);
  });

  it('refuses a LOG_FORMAT it does not know (exit 2)', async () => {
    const run = await runCli(['serve', '--port', '0'], { env: { REDIS_URL: redis.url, LOG_FORMAT: 'bogus' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/LOG_FORMAT: "bogus" is neither json nor pretty/);
  });

  it('refuses a non-loopback host without AF_API_TOKEN (exit 2) before connecting', async () => {
    const run = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], { env: { REDIS_URL: 'redis://127.0.0.1:1', AF_API_TOKEN: '' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without AF_API_TOKEN/);
  });
});

// The streaming pieces on their own (the routes above use them over real batches once the queue lands).
describe('streaming helpers', () => {
  async function serve(app: express.Express): Promise<{ url: string; close(): Promise<void> }> {
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const address = server.address() as { port: number };
    return { url: `http://127.0.0.1:${address.port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }

  it('writes a large JSON array incrementally, an empty one, and cuts the body on a late error', async () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({ inputId: `item-${i}`, state: 'completed', content: 'z'.repeat(100) }));
    async function* from<T>(list: T[], failAfter?: number): AsyncGenerator<T> {
      for (const [i, item] of list.entries()) {
        if (i === failAfter) throw new Error('redis went away');
        yield item;
      }
    }
    const app = express();
    app.get('/all', (_req, res) => void writeJsonArray(res, from(items)));
    app.get('/none', (_req, res) => void writeJsonArray(res, from([])));
    app.get('/broken', (_req, res) => void writeJsonArray(res, from(items, 4000)).catch(() => res.destroy()));
    const { url, close } = await serve(app);
    try {
      expect(await (await fetch(`${url}/all`)).json()).toEqual(items);
      expect(await (await fetch(`${url}/none`)).json()).toEqual([]);
      await expect((await fetch(`${url}/broken`)).json()).rejects.toThrow();
    } finally {
      await close();
    }
  });

  it('sends progress only when it changes, then end, and closes', async () => {
    const status = (state: BatchStatus['state'], completed: number): BatchStatus => ({
      id: 'b1', name: 'n', tenant: 't', priority: 5, state, createdAt: new Date(0).toISOString(), inputs: 2, total: 2,
      counts: { pending: 2 - completed, completed, failed: 0, cancelled: 0 },
    });
    const polls = [status('running', 0), status('running', 1), status('running', 1), status('completed', 2)];
    let closed = 0;
    const app = express();
    app.get('/events', (_req, res) =>
      streamBatchEvents(res, { initial: status('running', 0), poll: async () => polls.shift(), pollMs: 10, heartbeatMs: 5, onClose: () => closed++ }),
    );
    const { url, close } = await serve(app);
    try {
      const response = await fetch(`${url}/events`);
      const text = await response.text(); // the server ends the stream after `end`
      const events = [...text.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => [m[1], (JSON.parse(m[2]!) as BatchStatus).counts.completed]);
      expect(events).toEqual([['progress', 0], ['progress', 1], ['progress', 2], ['end', 2]]);
      expect(closed).toBe(1);
    } finally {
      await close();
    }
  });

  it('says `gone`, not `end`, when the batch disappears while it runs', async () => {
    const running: BatchStatus = {
      id: 'b2', name: 'n', tenant: 't', priority: 5, state: 'running', createdAt: new Date(0).toISOString(), inputs: 1, total: 1,
      counts: { pending: 1, completed: 0, failed: 0, cancelled: 0 },
    };
    const app = express();
    app.get('/events', (_req, res) => streamBatchEvents(res, { initial: running, poll: async () => undefined, pollMs: 10, heartbeatMs: 1000, onClose: () => undefined }));
    const { url, close } = await serve(app);
    try {
      const text = await (await fetch(`${url}/events`)).text();
      expect([...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1])).toEqual(['progress', 'gone']);
      expect(text).toContain('batch b2 no longer exists');
    } finally {
      await close();
    }
  });

  it('limits streams per client', () => {
    const limiter = new ClientLimiter(2);
    const a = limiter.acquire('1.2.3.4');
    const b = limiter.acquire('1.2.3.4');
    expect(a && b).toBeTruthy();
    expect(limiter.acquire('1.2.3.4')).toBeUndefined();
    expect(limiter.acquire('5.6.7.8')).toBeDefined();
    a!();
    a!(); // releasing twice frees one slot only
    expect(limiter.acquire('1.2.3.4')).toBeDefined();
    expect(limiter.acquire('1.2.3.4')).toBeUndefined();
  });
});

describe("the dashboard's batches", () => {
  let redis: TestRedis;
  let conn: FactoryConnection;
  let server: RunningServer;

  beforeAll(async () => {
    redis = await startRedis({ appendonly: false });
    conn = await connect({ redisUrl: redis.url, prefix: testPrefix() });
    server = await startServer(conn, { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await conn?.close();
    await redis?.stop();
  });

  it('keeps a long running batch in view behind many newer finished ones, and counts them all', async () => {
    // No worker: the big batch stays running; the small ones after it end, cancelled.
    const big = await submitBatch(conn, Array.from({ length: 30 }, (_, i) => ({ id: `big${i}`, requirement: `an agent that audits service ${i} for leaked secrets` })), { name: 'big' });
    for (let i = 0; i < 14; i += 1) {
      const small = await submitBatch(conn, [{ id: 's', requirement: `a reviewer for module ${i} pull requests` }], { name: `small-${i}` });
      await cancelBatch(conn, small.id);
    }
    type Dashboard = { batches: BatchStatus[]; batchCounts: { total: number; unfinished: number; unlisted: number } };
    const shown = await json<Dashboard>(await fetch(`${server.url}/api/dashboard`));
    expect(shown.batches[0]).toMatchObject({ id: big.id, state: 'running', total: 30 });
    expect(shown.batches.slice(1).map((b) => b.name)).toEqual(Array.from({ length: 10 }, (_, i) => `small-${13 - i}`));
    expect(shown.batchCounts).toEqual({ total: 15, unfinished: 1, unlisted: 0 });

    // Past the bound, the rest of the unfinished ones are counted, not listed.
    await submitBatch(conn, [{ id: 'n', requirement: 'a technical writer for the billing API docs' }], { name: 'newest' });
    const bounded = await batchOverview(conn, { unfinishedLimit: 1, recentLimit: 2 });
    expect(bounded.unfinished.map((b) => b.name)).toEqual(['newest']);
    expect(bounded.recent).toHaveLength(2);
    expect(bounded.counts).toEqual({ total: 16, unfinished: 2, unlisted: 1 });

    // The list pages with offset, and says how many there are.
    const page = await fetch(`${server.url}/api/batches?limit=3&offset=1`);
    expect(page.headers.get('x-total-count')).toBe('16');
    expect((await json<BatchStatus[]>(page)).map((b) => b.name)).toEqual(['small-13', 'small-12', 'small-11']);
    // A batch whose retention ended leaves the index when the dashboard meets it, and the count with it.
    await conn.redis.del(batchKeys(conn.config.prefix, big.id).batch);
    expect((await batchOverview(conn)).counts.total).toBe(15);
    expect((await fetch(`${server.url}/api/batches?limit=1`)).headers.get('x-total-count')).toBe('15');
  });
});

describe('a Redis without room (maxmemory, noeviction)', () => {
  let redis: TestRedis;
  let prefix: string;
  let conn: FactoryConnection;
  let server: RunningServer;

  beforeAll(async () => {
    redis = await startRedis({ appendonly: false });
    prefix = testPrefix();
    conn = await connect({ redisUrl: redis.url, prefix });
    server = await startServer(conn, { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await conn?.close();
    await redis?.stop();
  });

  const post = (requirements: string[]): Promise<Response> =>
    fetch(`${server.url}/api/batches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(requirements) });

  it('POST /api/batches: a batch that will not fit is refused with 507 redis_full before anything is enqueued', async () => {
    await limitMemory(conn.redis, 2 * 2 ** 20);
    try {
      const response = await post(Array.from({ length: 1000 }, (_, i) => `Review Terraform plans for public S3 buckets in stack ${i}.`));
      expect(response.status).toBe(507);
      const body = await json<ErrorJson>(response);
      expect(body.error.code).toBe('redis_full');
      expect(body.error.message).toMatch(/^this batch needs about 4\.9 MB in Redis while it is queued and once it is finished \(1,000 distinct requirement\(s\) at about 5 KB each\) but Redis has [12]\.\d MB free under maxmemory [\d.]+ MB, so nothing was enqueued\. To make room: raise maxmemory/);
      expect((await conn.redis.keys(`${prefix}*`)).filter((k) => !k.endsWith(':meta'))).toEqual([]);
      // The same count of one requirement fits: it is stored and run once.
      expect((await post(Array.from({ length: 1000 }, () => 'Review Terraform plans for public S3 buckets.'))).status).toBe(201);
    } finally {
      await conn.redis.config('SET', 'maxmemory', '0');
    }
  });

  it('/readyz warns redis_full (still 200) and the dashboard says so while Redis is full; both are back once there is room', async () => {
    type Dashboard = { redisFull: { node: string; used: number; max: number; message: string } | null };
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect((await json<Dashboard>(await fetch(`${server.url}/api/dashboard`))).redisFull).toBeNull();
    // A cancelled batch leaves records on the metrics inbox, which every report folds before it reads.
    const batch = await json<BatchStatus>(await post(['Review Helm charts for missing resource limits.']));
    expect((await fetch(`${server.url}/api/batches/${batch.id}`, { method: 'DELETE' })).status).toBeLessThan(300);
    await waitForBatch(conn, batch.id, 10_000);
    const max = await limitMemory(conn.redis, -512 * 1024);
    try {
      // Still ready: the server is what makes room (cancel, delete); it says why no batch moves.
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', warning: { code: 'redis_full', message: expect.stringMatching(/^Redis is full \([\d.]+ MB of maxmemory [\d.]+ MB\): with noeviction it refuses every write/) } });
      const dashboard = await fetch(`${server.url}/api/dashboard`);
      expect(dashboard.status).toBe(200);
      const { redisFull } = await json<Dashboard>(dashboard);
      expect(redisFull).toMatchObject({ max, message: expect.stringMatching(/^Redis is full \(/) });
      expect(redisFull!.used).toBeGreaterThan(max - 2 ** 20);
    } finally {
      await conn.redis.config('SET', 'maxmemory', '0');
    }
    expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({ status: 'ready' });
    expect((await json<Dashboard>(await fetch(`${server.url}/api/dashboard`))).redisFull).toBeNull();
  });
});
