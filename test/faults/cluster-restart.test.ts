// Case: on a Redis Cluster, the master that holds the factory's slot restarts (AOF on) mid-batch.
// The batch must complete with nothing lost, `submit --wait` must wait it out as on one Redis, and
// the workers that lived through it must still stop cleanly on SIGTERM; /readyz says so while it is down.
import { connect, createLogger, listBatches, type FactoryConnection } from '@agent-factory/queue';
import { startServer, type RunningServer } from '@agent-factory/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { sleep } from '../helpers/queue-workers.js';
import { startRedisCluster, type TestRedisCluster } from '../helpers/redis-cluster.js';
import { faultEnv, Fleet } from './fleet.js';

const PREFIX = '{af}';
const REQUIREMENTS = 120;

let cluster: TestRedisCluster;
let fleet: Fleet;
let conn: FactoryConnection;
let server: RunningServer;

beforeAll(async () => {
  cluster = await startRedisCluster({ appendonly: true });
  fleet = new Fleet(faultEnv(cluster.url, PREFIX, { AF_GENERATE_DELAY_MS: '100', AF_CONCURRENCY: 'generate=4', AF_LOCK_MS: '10000', AF_GRACE_MS: '3000' }));
  await fleet.grow(2);
  conn = await connect({ redisUrl: cluster.url, prefix: PREFIX }, { logger: createLogger({}, { level: 'error' }) });
  server = await startServer(conn, { host: '127.0.0.1', port: 0 });
}, 60_000);

afterAll(async () => {
  await fleet?.stopAll();
  await server?.close(1000);
  await conn?.close();
  await cluster?.stop();
});

it('submit --wait waits out a restart of the slot master, the batch completes, and the workers still stop with exit 0', async () => {
  const lines = Array.from({ length: REQUIREMENTS }, (_, i) => `Review the Helm chart number ${i} of the payments team for missing resource limits`).join('\n');
  const run = runCli(['submit', '-', '--wait', '--json', '--name', 'cluster-restart', '--no-cache'], { input: `${lines}\n`, env: { REDIS_URL: cluster.url, AF_PREFIX: PREFIX, LOG_LEVEL: 'error' } });
  let batchId: string | undefined;
  const deadline = Date.now() + 60_000;
  while (batchId === undefined && Date.now() < deadline) {
    const found = (await listBatches(conn, 10)).find((b) => b.name === 'cluster-restart');
    if (found && found.counts.completed >= 10) batchId = found.id;
    else await sleep(20);
  }
  expect(batchId).toBeDefined();
  let readyWhileDown: number | undefined;
  await cluster.restartNodeOf(PREFIX, 1000, async () => {
    // Two other masters still answer PING; /readyz must ask the one that holds the factory's keys.
    readyWhileDown = (await fetch(`${server.url}/readyz`)).status;
  });
  expect(readyWhileDown).toBe(503);
  expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  const { code, stdout, stderr } = await run;
  expect(stderr).toMatch(/Redis is not answering; waiting for it/);
  expect(code, stderr).toBe(0);
  expect(JSON.parse(stdout)).toMatchObject({ id: batchId, state: 'completed', counts: { completed: REQUIREMENTS, failed: 0 } });
  const exits = await Promise.all(fleet.ready().map((slot) => fleet.signal(slot, 'SIGTERM')));
  expect(exits).toEqual([0, 0]);
}, 180_000);
