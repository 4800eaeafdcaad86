import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { eachLine } from './child-log.js';
import { redisAnswers } from './redis-probe.js';
import { joinServer, runningServer, startedServer } from './shared-redis.js';

export { redisAnswers } from './redis-probe.js';

/** Where `up` found Redis, and how to let go of it. */
export interface LocalRedis {
  url: string;
  /**
   * How it was found: the environment, a server already on 6379, a child process we started, or one
   * another run started in the same data folder (`shared`: the last run to leave stops it).
   */
  origin: 'REDIS_URL' | 'localhost:6379' | 'started' | 'shared';
  /** Lets go of it, and says whether it still runs: another run may still use it, or it was never ours to stop. */
  stop(): Promise<RedisAfterStop>;
}

/** What is left of the Redis after this run let go of it: what it may still tell the user to run against it. */
export type RedisAfterStop = 'stopped' | 'left running';

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no free port'))));
    });
  });
}

/** Whether `redis-server` is on PATH. */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** What to tell a user who has no Redis at all. */
export const NO_REDIS_HELP =
  'No Redis found: REDIS_URL is not set, nothing answers on 127.0.0.1:6379 and redis-server is not on PATH. ' +
  'For the distributed mode install Redis (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) ' +
  'or start one with Docker: `docker run -d -p 127.0.0.1:6379:6379 redis:7-alpine redis-server --appendonly yes --maxmemory-policy noeviction`, then start again.';

/**
 * Finds Redis in the README's order: REDIS_URL; a Redis answering on 127.0.0.1:6379; a
 * `redis-server` on PATH started as a child (data under `.agent-factory/redis`, AOF on,
 * noeviction) that is stopped on exit. Undefined when there is none of these.
 */
export async function findOrStartRedis(env: NodeJS.ProcessEnv = process.env, dataDir = '.agent-factory/redis'): Promise<LocalRedis | undefined> {
  const none = async (): Promise<RedisAfterStop> => 'left running';
  if (env['REDIS_URL']) return { url: env['REDIS_URL'], origin: 'REDIS_URL', stop: none };
  if (await redisAnswers(6379)) return { url: 'redis://127.0.0.1:6379', origin: 'localhost:6379', stop: none };
  if (!hasRedisServer()) return undefined;
  return startLocalRedis(dataDir);
}

/**
 * A `redis-server` child on a free port with its data in `dataDir`; or, when another run already
 * has one there, that one (two servers appending to one AOF would corrupt it). Runs sharing it
 * register in the folder, so whichever leaves last stops it.
 */
export async function startLocalRedis(dataDir: string): Promise<LocalRedis> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const running = await runningServer(dir);
  if (running) return joinServer(dir, running);
  const port = await freePort();
  // Detached (its own process group): a Ctrl-C in the terminal reaches this command, which stops
  // the workers first and Redis last, not Redis at the same moment as the workers.
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--maxmemory-policy', 'noeviction', '--save', ''],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const closed = new Promise<void>((done) => child.once('close', () => done()));
  const lastLines = tailOf(child);
  const until = Date.now() + 10_000;
  while (!(await redisAnswers(port))) {
    if (child.exitCode !== null || Date.now() > until) {
      await stopRedis(child, closed);
      throw new Error(`redis-server did not start (data dir ${dir})${lastLines.length > 0 ? `; its last lines:\n  ${lastLines.join('\n  ')}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, origin: 'started', stop: startedServer(dir, { pid: child.pid!, port }, { stop: () => stopRedis(child, closed), release: () => releaseRedis(child) }) };
}

/** The last lines redis-server wrote (it logs to stdout; bad arguments go to stderr), kept as it runs. */
function tailOf(child: ChildProcess, keep = 10): string[] {
  const lines: string[] = [];
  const onLine = (line: string): void => {
    if (!line.trim()) return;
    lines.push(line.trim());
    if (lines.length > keep) lines.shift();
  };
  eachLine(child.stdout!, onLine);
  eachLine(child.stderr!, onLine);
  return lines;
}

/**
 * Leaves the child running for the runs that joined it: its output is no longer read (redis-server
 * ignores SIGPIPE) and it no longer keeps this process alive.
 */
function releaseRedis(child: ChildProcess): void {
  child.stdout?.destroy();
  child.stderr?.destroy();
  child.unref();
}

/** SIGTERM (it writes its AOF and exits), SIGKILL if it has not after 10 s; resolves once its output is read. */
async function stopRedis(child: ChildProcess, closed: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return closed;
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  child.kill('SIGTERM');
  await closed;
  clearTimeout(timer);
}
