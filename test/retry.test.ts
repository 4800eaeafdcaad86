// `retry BATCH`: a finished batch's failed requirements run again in the same batch, once; its
// results then hold their agents, and nothing that had completed runs again.
import { offlineProvider, type LlmProvider } from '@agent-factory/core';
import { batchKeys, batchResults, getBatch, PermanentError, retryBatch, submitBatch, type FactoryConnection, type ItemResult } from '@agent-factory/queue';
import { startServer } from '@agent-factory/server';
import { expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { waitForBatch } from './helpers/queue-workers.js';
import { factoryRig } from './helpers/factory-rig.js';
import { testPrefix } from './helpers/redis.js';

const rig = factoryRig();
/** While true, the provider refuses every requirement that mentions an outage. */
let outage = true;
const generated: string[] = [];

const provider: LlmProvider = {
  name: 'outage',
  async generate(request, options) {
    const { requirement } = request.analysis;
    if (outage && requirement.includes('outage')) throw new PermanentError('the provider refused it (simulated outage)');
    generated.push(requirement);
    return offlineProvider.generate(request, options);
  },
};

async function results(conn: FactoryConnection, batchId: string): Promise<ItemResult[]> {
  const out: ItemResult[] = [];
  for await (const r of batchResults(conn, batchId)) out.push(r);
  return out;
}

it('runs the failed requirements again, once, in the same batch; the completed ones are not run again', async () => {
  const prefix = testPrefix();
  const conn = await rig.open(prefix);
  await rig.workers(prefix, { deps: { llm: provider } });
  const inputs = [
    { id: 'ok1', requirement: 'Review Terraform plans for public S3 buckets' },
    { id: 'down1', requirement: 'Summarize the outage reports of the payments API' },
    { id: 'ok2', requirement: 'Write release notes from merged pull requests' },
    { id: 'down2', requirement: 'Triage outage alerts from the Kafka cluster' },
    { id: 'down2-again', requirement: 'Triage outage alerts from the Kafka cluster' },
  ];
  const batch = await submitBatch(conn, inputs, { useCache: false });
  const first = await waitForBatch(conn, batch.id, 20_000);
  expect(first.counts).toMatchObject({ completed: 2, failed: 2 });
  const env = { REDIS_URL: rig.redis.url, AF_PREFIX: prefix };

  outage = false;
  generated.length = 0;
  // Two retries at once (two operators): one puts each failed requirement back once, the other is told
  // it is under way (or, came it second, that the batch runs again).
  const [a, b] = await Promise.all([retryBatch(conn, batch.id), retryBatch(conn, batch.id)]);
  const retried = [a, b].reduce((sum, o) => sum + (o.outcome === 'retried' ? o.retried : 0), 0);
  expect(retried).toBe(2);
  expect([a, b].map((o) => o.outcome).sort()).toEqual(expect.arrayContaining(['retried']));
  const done = await waitForBatch(conn, batch.id, 20_000);
  expect(done).toMatchObject({ state: 'completed', total: 4, counts: { pending: 0, completed: 4, failed: 0, cancelled: 0 } });
  expect(generated.sort()).toEqual(['Summarize the outage reports of the payments API', 'Triage outage alerts from the Kafka cluster']);
  const all = await results(conn, batch.id);
  expect(all.map((r) => [r.inputId, r.state])).toEqual(inputs.map((i) => [i.id, 'completed']));
  expect(all.find((r) => r.inputId === 'down2-again')?.content).toMatch(/^---\nname: /);

  // Nothing failed is left: retrying again changes nothing.
  const again = await runCli(['retry', batch.id], { env });
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/0 failed requirement\(s\) queued again/);
  expect((await getBatch(conn, batch.id))?.counts.completed).toBe(4);
}, 60_000);

it('refuses a batch that is unknown, still running or cancelled (exit 2), and says why', async () => {
  const prefix = testPrefix();
  const conn = await rig.open(prefix);
  const env = { REDIS_URL: rig.redis.url, AF_PREFIX: prefix };
  // While another retry of the batch holds it, a second one is told so.
  await conn.redis.set(batchKeys(prefix, 'b_held').retry, 'another-retry', 'PX', 10_000);
  expect(await retryBatch(conn, 'b_held')).toEqual({ outcome: 'busy' });
  const unknown = await runCli(['retry', 'b_nosuchbatch'], { env });
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/no batch b_nosuchbatch/);
  // No worker runs here: the batch stays running.
  const running = await submitBatch(conn, [{ id: 'x', requirement: 'Audit npm dependencies for known vulnerabilities' }]);
  const refused = await runCli(['retry', running.id], { env });
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/is still running; retry it once it has ended/);
  await runCli(['cancel', running.id], { env });
  const cancelled = await runCli(['retry', running.id], { env });
  expect(cancelled.code).toBe(2);
  expect(cancelled.stderr).toMatch(/was cancelled/);

  // The API's POST /api/batches/:id/retry answers the same way.
  const server = await startServer(conn, { host: '127.0.0.1', port: 0 });
  try {
    const post = (id: string) => fetch(`${server.url}/api/batches/${id}/retry`, { method: 'POST' });
    expect((await post('b_nosuchbatch')).status).toBe(404);
    const conflict = await post(running.id);
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({ error: { code: 'batch_cancelled' } });
  } finally {
    await server.close();
  }
}, 30_000);
