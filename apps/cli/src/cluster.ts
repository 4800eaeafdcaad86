import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI's own entry, so child processes run exactly this build. */
export const CLI_ENTRY = fileURLToPath(new URL('../bin/agent-factory.js', import.meta.url));

/** Worker and server processes started by `up`, stopped together. */
export interface LocalCluster {
  workers: ChildProcess[];
  server?: ChildProcess;
  serverUrl?: string;
  stop(): Promise<void>;
}

function startChild(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [CLI_ENTRY, ...args], { env, stdio: ['ignore', 'ignore', 'inherit'] });
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** Starts N worker processes and, unless port is undefined, the server, all against one Redis. */
export function startLocalCluster(options: { redisUrl: string; workers: number; port?: number; host?: string; env?: NodeJS.ProcessEnv }): LocalCluster {
  // Children log warnings and errors only, unless the user asked for more.
  const env = { LOG_LEVEL: 'warn', ...process.env, ...options.env, REDIS_URL: options.redisUrl };
  const workers = Array.from({ length: options.workers }, () => startChild(['worker'], env));
  const host = options.host ?? '127.0.0.1';
  const server = options.port === undefined ? undefined : startChild(['serve', '--host', host, '--port', String(options.port)], env);
  return {
    workers,
    server,
    serverUrl: options.port === undefined ? undefined : `http://${host}:${options.port}`,
    async stop() {
      await Promise.all([...workers, ...(server ? [server] : [])].map((c) => stopChild(c, 15_000)));
    },
  };
}
