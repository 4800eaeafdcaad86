import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasRedisServer, redisAnswers, startLocalRedis } from '../apps/cli/src/local-redis.js';
import { CLI, testEnv, type CliRun } from './helpers/cli.js';

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

/**
 * `start` finds Redis on 127.0.0.1:6379 before it starts one in its folder, and a test must not use
 * whatever answers there: these runs are in a network namespace of their own (`unshare -rn`), where
 * only the redis-servers they start listen.
 */
const privateNetwork = spawnSync('unshare', ['-rn', 'true'], { stdio: 'ignore' }).status === 0 && hasRedisServer();

interface SharedStart {
  start: CliRun;
  /** Redis as the run that started it in the folder knew it. */
  starterUrl: string;
  /** `report --batch` after `start` ended, against the Redis its hint names (started again by `up`'s code when it says to). */
  report: CliRun;
}

/**
 * In a private network, another run starts the folder's redis-server, `start` joins it (`shared`),
 * and the other run leaves while `start` runs (`start` is then the last one out, and stops it) or
 * stays; then `report` runs as `start`'s last hint says.
 */
async function startSharingRedis(otherLeavesFirst: boolean): Promise<SharedStart> {
  const cwd = await mkdtemp(join(tmpdir(), 'af-shared-start-'));
  dirs.push(cwd);
  await writeFile(join(cwd, 'requirements.txt'), 'an agent that reviews Terraform plans for public S3 buckets\nan agent that writes unit tests for Python modules\n');
  const script = `
    import { spawn } from 'node:child_process';
    import { startLocalRedis } from ${JSON.stringify(new URL('../apps/cli/dist/local-redis.js', import.meta.url).href)};
    const dir = '.agent-factory/redis';
    const { REDIS_URL: _unset, ...env } = process.env;
    const run = (args, extra, onStderr = () => {}) => new Promise((resolve) => {
      const child = spawn(process.execPath, [${JSON.stringify(CLI)}, ...args], { env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '', stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d) => onStderr((stderr += d)));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    const starter = await startLocalRedis(dir);
    let left;
    const start = await run(['start', 'requirements.txt', '--out', 'out', '--port', '0', '--workers', '1'], {}, (stderr) => {
      if (${otherLeavesFirst} && !left && / \\(shared\\)/.test(stderr)) left = starter.stop();
    });
    await left;
    const id = /^Batch (\\S+):/m.exec(start.stdout)?.[1] ?? 'none';
    // The Redis the hint names: the starter's while it runs; else what \`up\` starts in this folder.
    const redis = ${otherLeavesFirst} ? await startLocalRedis(dir) : starter;
    const report = await run(['report', '--batch', id], { REDIS_URL: redis.url });
    await redis.stop();
    process.stdout.write(JSON.stringify({ start, starterUrl: starter.url, report }));
  `;
  const inside = spawnSync('unshare', ['-rn', 'sh', '-c', 'ip link set lo up && exec "$0" --input-type=module -e "$1"', process.execPath, script], {
    cwd, env: testEnv(), encoding: 'utf8', timeout: 120_000,
  });
  if (inside.status !== 0) throw new Error(`the run in a private network failed (${inside.status}): ${inside.stderr}`);
  return JSON.parse(inside.stdout) as SharedStart;
}

describe.skipIf(!privateNetwork)('start sharing the folder\'s redis-server: its last hint works when the user runs it', () => {
  it('left last, so it stopped Redis: says to start it again with up, not a report against the stopped server', async () => {
    const { start, starterUrl, report } = await startSharingRedis(true);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stderr).toMatch(/ \(shared\), 1 worker process/);
    expect(start.stdout).not.toContain(starterUrl);
    expect(start.stdout).toMatch(/^Tokens, cost and timings per stage: `npx agent-factory up` in this folder starts the Redis this run stopped again, on its data; then `REDIS_URL=<the URL up prints> npx agent-factory report --batch \S+`$/m);
    // Started again on its data, Redis still has the batch.
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/^2 finished: 2 completed/m);
  }, 150_000);

  it('left while the run that started Redis still runs: the report against that Redis', async () => {
    const { start, starterUrl, report } = await startSharingRedis(false);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toMatch(new RegExp(`^Tokens, cost and timings per stage: \`REDIS_URL=${starterUrl} npx agent-factory report --batch \\S+\`$`, 'm'));
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/^2 finished: 2 completed/m);
  }, 150_000);
});
