// `submit` while Redis restarts mid-enqueue (a real redis-server with AOF, shut down and started
// again on the same data dir and port): it waits Redis out and finishes, every id enqueued once;
// when Redis stays away past the wait, it says which batch it left and how to resume or cancel it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchIndexKey, batchKeys } from '@agent-factory/queue';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { syntheticRequirements } from '../bench/synthetic.js';
import { runCli } from './helpers/cli.js';
import { sleep } from './helpers/queue-workers.js';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

// Enough that the enqueue (AOF fsync on every write) is still running when Redis goes down.
const INPUTS = 40_000;

let dir: string;
let file: string;
const servers: TestRedis[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'af-submit-restart-'));
  file = join(dir, 'big.jsonl');
  const lines = syntheticRequirements(INPUTS, 5).map((requirement, i) => JSON.stringify({ id: `r${i}`, requirement }));
  await writeFile(file, `${lines.join('\n')}\n`);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await rm(dir, { recursive: true, force: true });
});

/** Submits the file in the background and waits until its batch holds some inputs, not all; returns the run and the batch id. */
async function submitPartWay(redis: TestRedis, prefix: string, env: NodeJS.ProcessEnv = {}) {
  const run = runCli(['submit', file, '--json'], { env: { REDIS_URL: redis.url, AF_PREFIX: prefix, ...env } });
  const client = new Redis(redis.url);
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [batchId] = await client.zrange(batchIndexKey(prefix), 0, 0);
      const inputs = batchId ? Number(await client.hget(batchKeys(prefix, batchId).batch, 'inputs')) : 0;
      if (batchId && inputs >= 2000) {
        expect(inputs, 'the enqueue finished before Redis went down: make the file larger').toBeLessThan(INPUTS);
        return { run, batchId };
      }
      expect(Date.now()).toBeLessThan(deadline);
      await sleep(20);
    }
  } finally {
    client.disconnect();
  }
}

it('submit rides out a Redis restart mid-enqueue: exit 0, every id enqueued exactly once', async () => {
  const redis = await startRedis();
  servers.push(redis);
  const prefix = testPrefix();
  const { run, batchId } = await submitPartWay(redis, prefix);
  // SIGTERM: Redis shuts down as `redis-cli shutdown` would (AOF written), then comes back on the same dir.
  await redis.restart({ graceful: true, downMs: 3000 });
  const done = await run;
  expect(done.stderr).not.toContain('connection close');
  expect(done.code).toBe(0);
  expect(JSON.parse(done.stdout)).toMatchObject({ id: batchId, inputs: INPUTS });
  const client = new Redis(redis.url);
  try {
    const ids = await client.lrange(batchKeys(prefix, batchId).ids, 0, -1);
    const inputIds = ids.map((entry) => entry.slice(0, entry.indexOf('\t')));
    expect(inputIds).toHaveLength(INPUTS);
    expect(new Set(inputIds).size).toBe(INPUTS);
    expect(await client.hget(batchKeys(prefix, batchId).batch, 'inputs')).toBe(String(INPUTS));
  } finally {
    client.disconnect();
  }
}, 120_000);

it('submit whose Redis stays away past its lease exits non-zero, naming the batch and the commands to resume or cancel it', async () => {
  const redis = await startRedis();
  servers.push(redis);
  const prefix = testPrefix();
  const { run, batchId } = await submitPartWay(redis, prefix, { AF_SUBMIT_LEASE_MS: '2000' });
  await redis.restart({ graceful: true, downMs: 6000 });
  const done = await run;
  expect(done.code).toBe(1);
  expect(done.stderr).toContain(`agent-factory submit ${file} --resume ${batchId}`);
  expect(done.stderr).toContain(`agent-factory cancel ${batchId}`);
}, 120_000);
