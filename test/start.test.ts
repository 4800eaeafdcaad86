import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { freePort, startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

async function checkOutput(dir: string): Promise<void> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.md'));
  expect(files).toHaveLength(50);
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as Record<string, { file?: string; error?: string }>;
  expect(Object.keys(index)).toHaveLength(50);
  expect(Object.values(index).filter((e) => e.error)).toEqual([]);
  const validate = await runCli(['validate', '--quiet', dir]);
  expect(validate.stdout).toMatch(/50 files \(50 passed, 0 failed\), 0 errors/);
  expect(validate.code).toBe(0);
}

describe('agent-factory start (npm start)', () => {
  it('runs the example batch through Redis, two worker processes and the server, and writes 50 valid agents', async () => {
    const out = await mkdtemp(join(tmpdir(), 'af-start-'));
    const run = await runCli(['start', '--out', out, '--port', String(await freePort())], { env: { REDIS_URL: redis.url, AF_PREFIX: testPrefix() } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/50 completed, 0 failed of 50/);
    expect(run.stdout).toMatch(/^simple\s+\d+/m);
    await checkOutput(out);
  }, 60_000);

  it('runs the same batch in-process when asked (the fallback without Redis)', async () => {
    const out = await mkdtemp(join(tmpdir(), 'af-start-'));
    const run = await runCli(['start', '--in-process', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/50 of 50 agents written .* \(in-process\)/);
    await checkOutput(out);
  }, 60_000);
});
