import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { redisAnswers, startLocalRedis } from '../apps/cli/src/local-redis.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/**
 * Another run in the same folder: a process that finds or starts the folder's Redis, says how, and
 * leaves when told, ending on its own as `start` does (no process.exit), so a Redis it still holds
 * would keep it running.
 */
function otherRun(dir: string): { found: Promise<{ url: string; origin: string }>; leave(): Promise<void>; kill(): void } {
  const script = `
    import { startLocalRedis } from ${JSON.stringify(new URL('../apps/cli/dist/local-redis.js', import.meta.url).href)};
    const redis = await startLocalRedis(${JSON.stringify(dir)});
    process.stdout.write(JSON.stringify({ url: redis.url, origin: redis.origin }) + '\\n');
    process.stdin.once('data', async () => { process.stdin.destroy(); await redis.stop(); });
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const found = new Promise<{ url: string; origin: string }>((resolve, reject) => {
    child.stdout.setEncoding('utf8').once('data', (line: string) => resolve(JSON.parse(line) as { url: string; origin: string }));
    child.once('exit', (code) => reject(new Error(`the other run exited ${code}`)));
  });
  return { found, leave: async () => (child.stdin.write('leave\n'), exited), kill: () => child.kill('SIGKILL') };
}

describe('the redis-server up and start run in their data folder', () => {
  it('is joined by a second run in the same folder, not started twice; the last run to leave stops it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'af-local-redis-'));
    dirs.push(dir);
    const first = await startLocalRedis(dir);
    expect(first.origin).toBe('started');
    const second = otherRun(dir);
    expect(await second.found).toEqual({ url: first.url, origin: 'shared' });
    const port = Number(new URL(first.url).port);
    // The first leaves while the second still uses it: the server stays.
    await first.stop();
    expect(await redisAnswers(port)).toBe(true);
    // A third run now joins it too, and leaves; then the second, the last: the server stops.
    const third = otherRun(dir);
    expect(await third.found).toEqual({ url: first.url, origin: 'shared' });
    await third.leave();
    expect(await redisAnswers(port)).toBe(true);
    await second.leave();
    expect(await redisAnswers(port)).toBe(false);
    expect((await readdir(dir)).filter((f) => f === 'server.json')).toEqual([]);
    // A later run starts its own again, on the same data.
    const again = await startLocalRedis(dir);
    expect(again.origin).toBe('started');
    await again.stop();
    expect(await redisAnswers(Number(new URL(again.url).port))).toBe(false);
  }, 60_000);

  it('lets the run that started it end while a run that joined still uses it, which stops it when it leaves', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'af-local-redis-'));
    dirs.push(dir);
    const starter = otherRun(dir);
    expect((await starter.found).origin).toBe('started');
    const joined = await startLocalRedis(dir);
    expect(joined.origin).toBe('shared');
    const port = Number(new URL(joined.url).port);
    try {
      // `start` ends by returning: a redis-server it still read the output of would keep it running.
      const ended = await Promise.race([starter.leave().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
      expect(ended, 'the starting run ended').toBe(true);
      expect(await redisAnswers(port)).toBe(true);
    } finally {
      starter.kill();
      await joined.stop();
    }
    expect(await redisAnswers(port)).toBe(false);
  }, 60_000);
});
