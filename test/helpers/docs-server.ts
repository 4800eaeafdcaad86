import { spawn, type ChildProcess } from 'node:child_process';
import type { CallCounts } from '@agent-factory/research';
import { CLI, testEnv } from './cli.js';
import { freePort } from './redis.js';

/** `agent-factory docs-server --http` as a child process that a test can kill and start again on the same port. */
export interface DocsServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** The server's own call counts (`GET /_calls`). */
  calls(): Promise<CallCounts>;
  /** Sends `signal` (SIGKILL by default) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (after kill). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function launch(port: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, 'docs-server', '--http', '--port', String(port)], { env: testEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const found = /docs server at (\S+)/.exec(out)?.[1];
      if (found) resolve({ child, url: found });
    });
    child.once('exit', (code) => reject(new Error(`docs-server exited ${code}: ${err}`)));
  });
}

/** Starts `agent-factory docs-server --http --port <free>`. */
export async function startDocsServer(): Promise<DocsServerProcess> {
  const port = await freePort();
  let current = await launch(port);
  const kill = (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> =>
    new Promise((resolve) => {
      const { child } = current;
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  return {
    get url() {
      return current.url;
    },
    port,
    get child() {
      return current.child;
    },
    calls: async () => (await (await fetch(new URL('/_calls', current.url))).json()) as CallCounts,
    kill,
    async restart() {
      await kill();
      current = await launch(port);
    },
    stop: () => kill('SIGTERM'),
  };
}
