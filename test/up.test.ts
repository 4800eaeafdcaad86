import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { isRunning, spawnCli } from './helpers/cli-process.js';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

let redis: TestRedis;
beforeAll(async () => {
  // Persistence off: every worker logs a warning, which `up` must show readably.
  redis = await startRedis({ appendonly: false });
});
afterAll(async () => {
  await redis.stop();
});

describe('agent-factory up', () => {
  it('shows children\'s warnings as lines, prints the worker command with REDIS_URL (password hidden), restarts a killed worker, and stops everything on SIGINT', async () => {
    // A password Redis does not ask for is accepted with a warning, so the URL can carry one.
    const url = redis.url.replace('//', '//:hunter2-secret@');
    const prefix = testPrefix();
    const up = spawnCli(['up', '--port', '0'], { REDIS_URL: url, AF_PREFIX: prefix });
    try {
      await up.waitFor(/Ctrl-C stops/);
      // With this run's prefix: a worker started without it would serve the default {af} queues.
      expect(up.stdout()).toContain(`\`AF_PREFIX='${prefix}' REDIS_URL=${redis.url.replace('//', '//:***@')} npx agent-factory worker\` (with the real password for ***)`);
      expect(up.stdout() + up.stderr()).not.toContain('hunter2-secret');
      expect(up.stderr()).toMatch(/^worker 1: WARN Redis persistence is off/m);
      expect(up.stderr()).not.toMatch(/^\{"level"/m);
      const children = up.children();
      expect(children).toHaveLength(3);
      process.kill(children[0]!, 'SIGKILL');
      await up.waitFor(/stopped \(killed by SIGKILL\); restarting it in 1 s/);
      await up.waitFor(/: running again/);
      const running = up.children();
      up.child.kill('SIGINT');
      expect(await up.exited).toBe(0);
      expect(running.filter(isRunning)).toEqual([]);
    } finally {
      up.kill();
    }
  }, 60_000);

  it('says why and exits 1 when the workers refuse the Redis, instead of printing its banner', async () => {
    const evicting = await startRedis({ args: ['--maxmemory-policy', 'allkeys-lru'] });
    try {
      const run = await runCli(['up', '--no-server'], { env: { REDIS_URL: evicting.url, AF_PREFIX: testPrefix() } });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/worker \d stopped before it was ready \(exit code 1\): Redis at .* has maxmemory-policy allkeys-lru/);
      expect(run.stdout).not.toMatch(/Ctrl-C stops/);
    } finally {
      await evicting.stop();
    }
  }, 60_000);

  it('binds the server to AF_HOST, which (as for serve) needs a token off loopback', async () => {
    const run = await runCli(['up', '--port', '0'], { env: { REDIS_URL: redis.url, AF_PREFIX: testPrefix(), AF_HOST: '0.0.0.0' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/server stopped before it was ready \(exit code 2\): .*AF_API_TOKEN/);
  }, 60_000);
});
