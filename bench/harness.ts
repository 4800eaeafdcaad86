/**
 * What the queue benchmarks share: a private redis-server (the tests' own helper, AOF off), timed
 * child processes with their peak RSS, and byte counts of keys.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { startRedis, type TestRedis } from '../test/helpers/redis.js';

export { CLI } from '../test/helpers/cli.js';
export { spawnWorker, sleep, type WorkerProcess } from '../test/helpers/queue-workers.js';

/** The redis-server line of a section: which server and how it was run. */
export const REDIS_SETTINGS = 'a private `redis-server` started by the benchmark on a free port (AOF off, no RDB saves, noeviction), flushed between runs';

export interface BenchRedis {
  server: TestRedis;
  url: string;
  /** A plain client for FLUSHALL, INFO and MEMORY USAGE. */
  client: Redis;
  version: string;
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a private redis-server (never 127.0.0.1:6379) with AOF off: persistence is not what is measured. */
export async function startBenchRedis(): Promise<BenchRedis> {
  const server = await startRedis({ appendonly: false });
  const client = new Redis(server.url, { maxRetriesPerRequest: null });
  const info = await client.info('server');
  const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
  return {
    server,
    url: server.url,
    client,
    version,
    async flush() {
      await client.flushall();
    },
    async stop() {
      client.disconnect();
      await server.stop();
    },
  };
}

/** Bytes Redis reports as used (INFO memory used_memory). */
export async function usedMemory(client: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1] ?? 0);
}

/** CPU seconds the Redis server has used (INFO cpu: user + system). */
export async function redisCpuSeconds(client: Redis): Promise<number> {
  const info = await client.info('cpu');
  return Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0);
}

/** Every key matching a glob, with SCAN. */
export async function scanKeys(client: Redis, match: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return out;
}

/** Sum of MEMORY USAGE (SAMPLES 0: every element counted) over the keys. */
export async function memoryUsage(client: Redis, keys: string[]): Promise<number> {
  let total = 0;
  for (let i = 0; i < keys.length; i += 1000) {
    const pipeline = client.pipeline();
    for (const key of keys.slice(i, i + 1000)) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
    for (const [error, bytes] of (await pipeline.exec()) ?? []) if (!error) total += Number(bytes ?? 0);
  }
  return total;
}

export interface TimedRun {
  code: number | null;
  seconds: number;
  /** Peak resident set size of the process, in bytes. */
  peakRss: number;
  stdout: string;
  stderr: string;
}

const TIME = '/usr/bin/time';

/** How peak RSS is read, for the section text. */
export const RSS_METHOD = existsSync(TIME) ? '`/usr/bin/time -v` (maximum resident set size)' : 'polling /proc/<pid>/status VmHWM every 20 ms';

function vmHwm(pid: number): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs `node <args>` to its exit: wall time from spawn to exit, and its peak RSS. */
export function runTimed(args: string[], env: NodeJS.ProcessEnv): Promise<TimedRun> {
  const wrapped = existsSync(TIME);
  const [command, argv] = wrapped ? [TIME, ['-v', process.execPath, ...args]] : [process.execPath, args];
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let hwm = 0;
    const poll = wrapped ? undefined : setInterval(() => (hwm = Math.max(hwm, vmHwm(child.pid ?? 0))), 20);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - start) / 1000;
      if (poll) clearInterval(poll);
      const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1];
      resolve({ code, seconds, peakRss: kb ? Number(kb) * 1024 : hwm, stdout, stderr });
    });
  });
}

/** MB with one decimal. */
export const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

/** ✓ or ✗. */
export const mark = (ok: boolean): string => (ok ? '✓' : '✗');

/** Versions of what is measured, for the section text. */
export function versions(redisVersion: string): string {
  const bullmq = (JSON.parse(readFileSync(new URL('../node_modules/bullmq/package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return `BullMQ ${bullmq}, Redis ${redisVersion}`;
}
