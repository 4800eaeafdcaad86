// A batch's webhook (`submit --webhook URL`, `webhook` in POST /api/batches): its final status is
// POSTed once when the batch ends, by whichever worker process moves it from the outbox, retried
// while the endpoint fails transiently, and `status` says whether it was delivered.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cancelBatch, getBatch, openWebhookQueue, queueConfigFromEnv, resumeBatch, submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseBatchRequest } from '../apps/server/src/batch-request.js';
import { runCli } from './helpers/cli.js';
import { sleep, waitForBatch } from './helpers/queue-workers.js';
import { factoryRig } from './helpers/factory-rig.js';
import { testPrefix } from './helpers/redis.js';

const SECRET = 'a-webhook-secret-of-32-characters';

interface Delivery {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const rig = factoryRig();
let receiver: Server;
let base: string;
const deliveries: Delivery[] = [];
/** Status codes the receiver answers per path, in order; 200 once a path's list is used up. */
const answers = new Map<string, number[]>();

const open = (prefix: string): Promise<FactoryConnection> => rig.open(prefix, { webhookSecret: SECRET });

async function workers(prefix: string, count = 1): Promise<void> {
  for (let i = 0; i < count; i++) await rig.workers(prefix, { workerId: `w${i}` }, { webhookSecret: SECRET });
}

const to = (path: string): Delivery[] => deliveries.filter((d) => d.path === path);

async function until(what: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await what()) && Date.now() < deadline) await sleep(50);
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      deliveries.push({ path, headers: req.headers, body });
      res.statusCode = answers.get(path)?.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => receiver?.close(r));
});

it('POSTs a finished batch once, with its final status, signed; two worker processes deliver it once; status says delivered', async () => {
  const prefix = testPrefix();
  const conn = await open(prefix);
  await workers(prefix, 2);
  const batch = await submitBatch(conn, [1, 2, 3].map((i) => ({ id: `r${i}`, requirement: `Review Terraform plans for public S3 buckets, module ${i}` })), { webhook: `${base}/done` });
  expect((await getBatch(conn, batch.id))?.webhook).toEqual({ state: 'pending' });
  await waitForBatch(conn, batch.id, 20_000);
  await until(() => to('/done').length > 0, 10_000);
  // Both processes move the outbox every half second: a second POST would have come by now.
  await sleep(1500);
  expect(to('/done')).toHaveLength(1);
  const [delivery] = to('/done') as [Delivery];
  const body = JSON.parse(delivery.body) as { type: string; batch: { id: string; state: string; counts: { completed: number }; webhook?: unknown } };
  expect(body).toMatchObject({ type: 'batch.finished', batch: { id: batch.id, state: 'completed', counts: { completed: 3 } } });
  expect(body.batch.webhook).toBeUndefined();
  expect(delivery.headers['content-type']).toBe('application/json');
  expect(delivery.headers['idempotency-key']).toBe(batch.id);
  expect(delivery.headers['x-agent-factory-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(delivery.body).digest('hex')}`);
  const status = await getBatch(conn, batch.id);
  expect(status?.webhook?.state).toBe('delivered');
  expect(status?.webhook?.at).toMatch(/^\d{4}-/);
  const shown = await runCli(['status', batch.id], { env: { REDIS_URL: rig.redis.url, AF_PREFIX: prefix } });
  expect(shown.stdout).toMatch(/^webhook   delivered \d{4}-/m);
}, 40_000);

it('retries an endpoint that answers 503 until it takes it; a 400 is final, and status says why', async () => {
  const prefix = testPrefix();
  const conn = await open(prefix);
  await workers(prefix);
  answers.set('/flaky', [503, 503]);
  answers.set('/refuses', [400]);
  const flaky = await submitBatch(conn, [{ id: 'a', requirement: 'Write release notes from merged pull requests' }], { webhook: `${base}/flaky` });
  const refused = await submitBatch(conn, [{ id: 'b', requirement: 'Audit npm dependencies for known vulnerabilities' }], { webhook: `${base}/refuses` });
  await until(() => to('/flaky').length >= 3 && to('/refuses').length >= 1, 30_000);
  await until(async () => (await getBatch(conn, refused.id))?.webhook?.state === 'failed', 5_000);
  expect(to('/flaky')).toHaveLength(3);
  expect((await getBatch(conn, flaky.id))?.webhook?.state).toBe('delivered');
  await sleep(1000);
  expect(to('/refuses')).toHaveLength(1);
  const status = await getBatch(conn, refused.id);
  expect(status?.webhook).toMatchObject({ state: 'failed', error: expect.stringMatching(/answered 400/) });
}, 60_000);

it('a batch cancelled before any worker ran says so to its webhook', async () => {
  const prefix = testPrefix();
  const conn = await open(prefix);
  const batch = await submitBatch(conn, [{ id: 'c', requirement: 'Tune PostgreSQL queries that scan whole tables' }], { webhook: `${base}/cancelled` });
  await cancelBatch(conn, batch.id);
  await workers(prefix);
  await until(() => to('/cancelled').length > 0, 10_000);
  expect(JSON.parse(to('/cancelled')[0]!.body)).toMatchObject({ type: 'batch.finished', batch: { id: batch.id, state: 'cancelled', counts: { cancelled: 1 } } });
}, 30_000);

it('posts each end of a batch: interrupted when its submit stopped, then completed once resumed', async () => {
  const prefix = testPrefix();
  const conn = await open(prefix);
  await workers(prefix);
  const inputs = [1, 2, 3, 4].map((i) => ({ id: `s${i}`, requirement: `Document the REST endpoints of billing service ${i}` }));
  // A submit stopped (Ctrl-C) before its first chunk: the batch is interrupted with nothing enqueued, and ends.
  const stop = new AbortController();
  stop.abort();
  const batch = await submitBatch(conn, inputs, { webhook: `${base}/resumed` }, undefined, { signal: stop.signal });
  expect(batch.state).toBe('interrupted');
  await until(() => to('/resumed').length >= 1, 10_000);
  await until(async () => (await getBatch(conn, batch.id))?.webhook?.state === 'delivered', 5_000);
  await resumeBatch(conn, batch.id, inputs);
  expect((await getBatch(conn, batch.id))?.webhook?.state).not.toBe('delivered');
  await waitForBatch(conn, batch.id, 20_000);
  await until(() => to('/resumed').length >= 2, 10_000);
  await sleep(1000);
  expect(to('/resumed').map((d) => (JSON.parse(d.body) as { batch: { state: string } }).batch.state)).toEqual(['interrupted', 'completed']);
  expect((await getBatch(conn, batch.id))?.webhook?.state).toBe('delivered');
}, 40_000);

it('refuses a webhook that is not an http(s) URL: submit exits 2, the API answers 400, submitBatch throws', async () => {
  const prefix = testPrefix();
  const run = await runCli(['submit', '-', '--webhook', 'ftp://example.com/hook'], { input: 'Review Terraform plans\n', env: { REDIS_URL: rig.redis.url, AF_PREFIX: prefix } });
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/--webhook: the webhook must be an http:\/\/ or https:\/\/ URL/);
  expect(() => parseBatchRequest({ requirements: ['Review Terraform plans'], webhook: 'not a url' }, undefined)).toThrow(expect.objectContaining({ status: 400, details: [expect.objectContaining({ field: 'webhook' })] }));
  const conn = await open(prefix);
  await expect(submitBatch(conn, [{ id: 'x', requirement: 'Review Terraform plans' }], { webhook: 'javascript:alert(1)' })).rejects.toThrow(/http:\/\/ or https:\/\//);
  expect(await conn.redis.keys(`${prefix}:batch:*`)).toEqual([]);
  // A signing secret too short to be one is refused at start, by its variable's name; it never shows in logs.
  expect(() => queueConfigFromEnv({ AF_WEBHOOK_SECRET: 'short' })).toThrow(/^AF_WEBHOOK_SECRET: must be at least 16 characters/);
}, 30_000);

it("sends a URL's user:password as basic auth, and never shows the URL's secrets when it cannot reach it", async () => {
  const prefix = testPrefix();
  const conn = await open(prefix);
  await workers(prefix);
  const withLogin = base.replace('http://', 'http://hook%40user:pa%3Ass@');
  const delivered = await submitBatch(conn, [{ id: 'l', requirement: 'Review Terraform plans for public S3 buckets' }], { webhook: `${withLogin}/login?token=abc` });
  await until(() => to('/login?token=abc').length > 0, 20_000);
  expect(to('/login?token=abc')[0]!.headers.authorization).toBe(`Basic ${Buffer.from('hook@user:pa:ss').toString('base64')}`);
  await until(async () => (await getBatch(conn, delivered.id))?.webhook?.state === 'delivered', 5_000);

  // Port 1 refuses connections: the attempt fails and is retried; its reason (Bull Board, the log) names the host only.
  const batch = await submitBatch(conn, [{ id: 'u', requirement: 'Review Terraform plans for public S3 buckets' }], { webhook: 'http://user:s3cretpass@127.0.0.1:1/hook?token=TOPSECRET' });
  const queue = openWebhookQueue(conn);
  try {
    let reasons: string[] = [];
    await until(async () => {
      const jobs = await queue.getJobs(['delayed', 'failed', 'wait']);
      reasons = jobs.filter((j) => j.data && JSON.stringify(j.data).includes(batch.id) && j.failedReason).flatMap((j) => [j.failedReason, ...(j.stacktrace ?? [])]);
      return reasons.length > 0;
    }, 20_000);
    expect(reasons[0]).toMatch(/^webhook 127\.0\.0\.1:1 unreachable: /);
    expect(reasons.join('\n')).not.toMatch(/s3cretpass|TOPSECRET/);
  } finally {
    await queue.close();
  }
}, 40_000);
