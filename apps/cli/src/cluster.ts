import { levelNumber } from './child-log.js';
import { describeExit, superviseChild, type ChildExit, type SupervisedChild } from './supervised-child.js';

export { CLI_ENTRY } from './supervised-child.js';

/** What SIGKILL waits for beyond the workers' own grace period (AF_GRACE_MS): their connections closing. */
const KILL_MARGIN_MS = 5000;
const DEFAULT_GRACE_MS = 10_000;

/** Why the cluster cannot work, and the exit code that says so. */
export class ClusterFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Worker and server processes started by `up` and `start`, supervised and stopped together. */
export interface LocalCluster {
  /** The dashboard URL (undefined without a server) once every worker and the server are ready; rejects with a ClusterFailure when one stops first. */
  ready: Promise<string | undefined>;
  /** Resolves when no worker is left: each exited on its own or failed too often to be restarted. */
  failed: Promise<ClusterFailure>;
  /** Workers first (they finish their jobs within the grace period), then the server. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  redisUrl: string;
  workers: number;
  /** The server's port; no server when undefined. */
  port?: number;
  /** The server's bind address; the server's own default (AF_HOST, else loopback) when undefined. */
  host?: string;
  env?: NodeJS.ProcessEnv;
}

function failureBeforeReady(exit: ChildExit, port: number | undefined): ClusterFailure {
  const code = exit.code !== null && exit.code > 0 ? exit.code : 1;
  if (exit.name === 'server' && /EADDRINUSE/.test(exit.lastWords ?? '')) {
    return new ClusterFailure(`the server could not start: port ${port} is in use: pass --port with a free one (0 picks one)`, code);
  }
  return new ClusterFailure(describeExit(exit, ' before it was ready'), code);
}

/** Starts N worker processes and, unless port is undefined, the server, all against one Redis. */
export function startLocalCluster(options: ClusterOptions): LocalCluster {
  const base = { ...process.env, ...options.env };
  // Children log at info (a worker says it is ready at info) in JSON, which is read here; what is
  // shown is warnings and errors, or what the user's LOG_LEVEL asks for.
  const userLevel = levelNumber(base['LOG_LEVEL']);
  const showLevel = userLevel ?? 40;
  const env = { ...base, LOG_LEVEL: userLevel !== undefined && userLevel < 30 ? base['LOG_LEVEL'] : 'info', LOG_FORMAT: 'json', REDIS_URL: options.redisUrl };
  const workers = Array.from({ length: options.workers }, (_, i) =>
    superviseChild({ name: `worker ${i + 1}`, args: ['worker'], env, ready: /"msg":"worker ready"/, showLevel }),
  );
  const hostArgs = options.host === undefined ? [] : ['--host', options.host];
  const server: SupervisedChild | undefined =
    options.port === undefined
      ? undefined
      : superviseChild({ name: 'server', args: ['serve', ...hostArgs, '--port', String(options.port)], env, ready: /^Dashboard at (\S+?)\/?$/, showLevel });
  const grace = Number(base['AF_GRACE_MS'] ?? DEFAULT_GRACE_MS);
  const killAfterMs = (Number.isInteger(grace) && grace >= 0 ? grace : DEFAULT_GRACE_MS) + KILL_MARGIN_MS;
  const ready = Promise.all([server?.ready, ...workers.map((w) => w.ready)]).then(
    ([served]) => served?.[1],
    (exit: ChildExit) => Promise.reject(failureBeforeReady(exit, options.port)),
  );
  return {
    ready,
    failed: Promise.all(workers.map((w) => w.ended)).then(() => new ClusterFailure('no worker is left running', 1)),
    async stop() {
      await Promise.all(workers.map((w) => w.stop(killAfterMs)));
      await server?.stop(killAfterMs);
    },
  };
}
