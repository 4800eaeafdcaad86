import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestRedis {
  url: string;
  port: number;
  dir: string;
  /** Kills the server (SIGKILL unless graceful) and starts it again on the same port and data dir. */
  restart(options?: { graceful?: boolean; downMs?: number }): Promise<void>;
  /** Freezes the server (SIGSTOP) for `ms`, then lets it go on (SIGCONT): connections stay open, nothing answers. */
  pause(ms: number): Promise<void>;
  stop(): Promise<void>;
}

/** A free TCP port on loopback (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.write('PING\r\n');
    });
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(port: number, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await answers(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server on ${port} did not start`);
}

/**
 * Starts a private `redis-server` on a free port with a temporary data dir (AOF on, noeviction), so
 * tests never touch a user's data and can run in parallel. Needs `redis-server` on PATH.
 */
export async function startRedis(options: { appendonly?: boolean; args?: string[] } = {}): Promise<TestRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'af-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', options.appendonly === false ? 'no' : 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction', ...(options.args ?? [])],
      { stdio: 'ignore' },
    );
    await waitFor(port);
  };
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill(signal);
    });
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    async restart({ graceful = false, downMs = 500 } = {}) {
      await kill(graceful ? 'SIGTERM' : 'SIGKILL');
      await new Promise((r) => setTimeout(r, downMs));
      await launch();
    },
    async pause(ms) {
      child?.kill('SIGSTOP');
      await new Promise((r) => setTimeout(r, ms));
      child?.kill('SIGCONT');
    },
    async stop() {
      await kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A unique key prefix per test, so tests sharing one server never see each other's keys. */
export function testPrefix(): string {
  return `{af-t${process.pid}-${Math.random().toString(36).slice(2, 8)}}`;
}
