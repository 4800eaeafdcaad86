// The commands that only read (status, report, results without --delete, cache stats) write nothing to
// Redis: BullMQ writes each queue's `<prefix>:<stage>:meta` hash when it opens it, unless told not to.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, submitBatch } from '@agent-factory/queue';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { redisPerFile } from './helpers/redis-file.js';
import { testPrefix } from './helpers/redis.js';

const db = redisPerFile();

/** A folder for `results --out`, removed after the test. */
async function outDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'af-read-only-'));
  db.defer(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the commands under MONITOR (which also shows what Lua scripts run) and returns the write commands Redis received, as `NAME key…`. */
async function writesDuring(prefix: string, commands: string[][]): Promise<string[]> {
  const seen: string[][] = [];
  const monitor = await db.client.monitor();
  monitor.on('monitor', (_time: string, args: string[]) => seen.push(args));
  try {
    for (const args of commands) {
      const run = await runCli(args, { env: { REDIS_URL: db.redis.url, AF_PREFIX: prefix, LOG_LEVEL: 'error' } });
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).not.toBe(-1);
    }
    // The last commands' lines reach the monitor after the process has ended.
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    monitor.disconnect();
  }
  const names = [...new Set(seen.map((args) => args[0]!.toLowerCase()))];
  const infos = (await db.client.call('COMMAND', 'INFO', ...names)) as [string, number, string[]][];
  const writing = new Set(infos.filter((info) => info?.[2].includes('write')).map((info) => info[0]));
  return seen.filter((args) => writing.has(args[0]!.toLowerCase())).map((args) => args.slice(0, 2).join(' '));
}

describe('read-only commands write nothing to Redis', () => {
  it('on an empty Redis: no batch at all, and a batch that does not exist', async () => {
    const prefix = testPrefix();
    const writes = await writesDuring(prefix, [
      ['status'], ['status', 'b_none'], ['report'], ['report', '--batch', 'b_none'], ['results', 'b_none', '--out', await outDir()], ['cache', 'stats'],
    ]);
    expect(writes).toEqual([]);
    expect(await db.client.dbsize()).toBe(0);
  }, 60_000);

  it('on a batch that exists', async () => {
    const prefix = testPrefix();
    const conn = await connect({ redisUrl: db.redis.url, prefix });
    const { id } = await submitBatch(conn, [{ id: 'a', requirement: 'an agent that reviews Terraform plans for public S3 buckets' }]).finally(() => conn.close());
    const before = await db.client.dbsize();
    const writes = await writesDuring(prefix, [['status'], ['status', id], ['report', '--batch', id], ['results', id, '--out', await outDir()], ['cache', 'stats']]);
    expect(writes).toEqual([]);
    expect(await db.client.dbsize()).toBe(before);
  }, 60_000);
});
