import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BODY_LIMIT, startServer } from '../../apps/server/src/index.js';
import { adminAuth, API_TOKEN, dataKeys, jobsInStages, postBatch, startTestApi, viewerAuth, VIEWER_TOKEN, type ErrorJson, type TestApi } from '../helpers/api.js';
import { runCli } from '../helpers/cli.js';
import { sleep } from '../helpers/queue-workers.js';

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Refusals seen, by status, and refused public binds, for the summary line. */
const seen = new Map<number, number>();
let publicBindsRefused = 0;
async function refused(response: Response, status: number, code: string): Promise<void> {
  expect(response.status, `${response.url}`).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as ErrorJson;
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  seen.set(status, (seen.get(status) ?? 0) + 1);
}

describe('abuse: the HTTP server', () => {
  let api: TestApi;
  /** A running batch (no worker runs here) for the routes that need one. */
  let batchId: string;

  beforeAll(async () => {
    api = await startTestApi();
    const created = await postBatch(api.url, JSON.stringify({ name: 'abuse-server', requirements: ['Review Terraform plans for public S3 buckets'] }));
    expect(created.status).toBe(201);
    batchId = ((await created.json()) as { id: string }).id;
  });

  afterAll(async () => {
    await api?.close();
    const statuses = [...seen.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status} x${n}`);
    console.log(`abuse: server refused ${statuses.join(', ')}, public binds without a token x${publicBindsRefused}; 0 viewer writes, 0 jobs from refused requests`);
  });

  it('answers 401 to every protected route without a valid token, before reading any body', async () => {
    const routes: [string, string][] = [
      ['GET', '/api/batches'],
      ['POST', '/api/batches'],
      ['GET', `/api/batches/${batchId}`],
      ['DELETE', `/api/batches/${batchId}`],
      ['GET', `/api/batches/${batchId}/events`],
      ['GET', `/api/batches/${batchId}/results`],
      ['GET', '/admin/queues'],
      ['GET', '/admin/queues/api/queues'],
      ['PUT', '/admin/queues/api/queues/analyze/pause'],
      ['GET', '/metrics'],
      ['GET', '/'],
    ];
    const badAuth = [undefined, 'Bearer not-the-token-at-all-0000', 'Bearer', `Bearer ${API_TOKEN}x`, `Bearer ${API_TOKEN.slice(0, -1)}`, basic(API_TOKEN, 'x'), `Basic ${Buffer.from(API_TOKEN).toString('base64')}`, 'Basic !!!', `Token ${API_TOKEN}`];
    for (const [method, path] of routes) {
      for (const authorization of badAuth) {
        const response = await fetch(`${api.url}${path}`, { method, headers: authorization === undefined ? {} : { authorization } });
        await refused(response, 401, 'unauthorized');
      }
    }
    // A big body without a token is refused as unauthorized, not parsed first.
    const big = await fetch(`${api.url}/api/batches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(['x'.repeat(2 * DEFAULT_BODY_LIMIT)]) });
    await refused(big, 401, 'unauthorized');
  });

  it('answers 403 to the viewer token writing: API POST and DELETE, every Bull Board write', async () => {
    const writes: [string, string, string?][] = [
      ['POST', '/api/batches', '["Review pull requests"]'],
      ['DELETE', `/api/batches/${batchId}`],
      ['PUT', '/admin/queues/api/queues/analyze/pause'],
      ['PUT', '/admin/queues/api/queues/generate/resume'],
      ['PUT', '/admin/queues/api/queues/analyze/clean/waiting'],
      ['PUT', '/admin/queues/api/queues/analyze/retry/failed'],
      ['PUT', '/admin/queues/api/queues/analyze/empty'],
      ['DELETE', '/admin/queues/api/queues/analyze/some-job'],
      ['PATCH', `/api/batches/${batchId}`],
    ];
    for (const authorization of [viewerAuth.authorization, basic('anyone', VIEWER_TOKEN)]) {
      for (const [method, path, body] of writes) {
        const response = await fetch(`${api.url}${path}`, { method, headers: { authorization, 'content-type': 'application/json' }, body });
        await refused(response, 403, 'read_only');
      }
    }
    // Nothing changed: the batch still runs, no queue paused, no second batch.
    const batch = await fetch(`${api.url}/api/batches/${batchId}`, { headers: viewerAuth });
    expect(((await batch.json()) as { state: string }).state).toBe('running');
    for (const queue of Object.values(api.conn.queues)) expect(await queue.isPaused()).toBe(false);
    const list = (await (await fetch(`${api.url}/api/batches`, { headers: viewerAuth })).json()) as unknown[];
    expect(list).toHaveLength(1);
  });

  it('answers 413 to bodies over the 1 MB default limit, sized or streamed, and enqueues nothing', async () => {
    const jobs = await jobsInStages(api.conn);
    const keys = (await dataKeys(api.conn)).length;
    const item = 'y'.repeat(8000);
    const justOver = JSON.stringify(Array.from({ length: Math.ceil(DEFAULT_BODY_LIMIT / 8000) + 1 }, () => item));
    for (const body of [justOver, `["${'z'.repeat(5 * DEFAULT_BODY_LIMIT)}"]`]) {
      expect(body.length).toBeGreaterThan(DEFAULT_BODY_LIMIT);
      await refused(await postBatch(api.url, body), 413, 'body_too_large');
    }
    // Chunked, with no Content-Length: the limit holds while the body streams in.
    const chunks = 40;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('['));
        for (let i = 0; i < chunks; i++) controller.enqueue(new TextEncoder().encode(`${i ? ',' : ''}"${'w'.repeat(64 * 1024)}"`));
        controller.enqueue(new TextEncoder().encode(']'));
        controller.close();
      },
    });
    // `duplex` is required by Node's fetch for a stream body; the DOM typings do not know it yet.
    const streamed = await fetch(`${api.url}/api/batches`, { method: 'POST', headers: { ...adminAuth, 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    await refused(streamed, 413, 'body_too_large');
    expect(await jobsInStages(api.conn)).toBe(jobs);
    expect((await dataKeys(api.conn)).length).toBe(keys);
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
  });

  it('refuses a public bind without AF_API_TOKEN: `serve --host 0.0.0.0` exits 2, startServer throws', async () => {
    const run = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], { env: { REDIS_URL: api.redis.url, AF_API_TOKEN: '', AF_VIEWER_TOKEN: '' } });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/^agent-factory: refusing to listen on 0\.0\.0\.0 without AF_API_TOKEN/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    publicBindsRefused++;
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
      await expect(startServer(api.conn, { host, port: 0 })).rejects.toThrow(/refusing to listen .* without AF_API_TOKEN/);
      publicBindsRefused++;
    }
    // A token too short to be one does not open the door either.
    await expect(startServer(api.conn, { host: '0.0.0.0', port: 0, apiToken: 'short' })).rejects.toThrow(/too short/);
    publicBindsRefused++;
  });

  it('caps event streams per client: the 6th concurrent stream gets 429 until one closes', async () => {
    const max = 5; // ServerOptions.maxSsePerClient's default
    const open = Array.from({ length: max }, () => new AbortController());
    const events = `${api.url}/api/batches/${batchId}/events`;
    try {
      const streams = await Promise.all(open.map((c) => fetch(events, { headers: viewerAuth, signal: c.signal })));
      for (const s of streams) {
        expect(s.status).toBe(200);
        expect(s.headers.get('content-type')).toMatch(/^text\/event-stream/);
      }
      // Admin or viewer, it is one client (one address).
      await refused(await fetch(events, { headers: viewerAuth }), 429, 'too_many_streams');
      await refused(await fetch(events, { headers: adminAuth }), 429, 'too_many_streams');

      open[0]?.abort();
      let again: Response | undefined;
      for (let i = 0; i < 50 && again?.status !== 200; i++) {
        await again?.body?.cancel();
        await sleep(50);
        again = await fetch(events, { headers: viewerAuth });
      }
      expect(again?.status).toBe(200);
      await again?.body?.cancel();
    } finally {
      for (const c of open) c.abort();
    }
  });
});
