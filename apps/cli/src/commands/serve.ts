import { connect, createLogger, logLevelFromEnv, observabilityFromEnv, queueConfigFromEnv, watchAlerts, type ObservabilitySettings, type QueueConfig } from '@agent-factory/queue';
import { checkListenOptions, startServer, type RunningServer } from '@agent-factory/server';
import { untilStopSignal } from '../stop-signal.js';
import type { Command } from 'commander';
import { z } from 'zod';
import { serverPort } from '../port-flag.js';
import { parseTrustProxy } from '../trust-proxy.js';
import { UsageError } from '../usage-error.js';

interface ServeFlags {
  host?: string;
  port?: string;
}

const SIZE = /^(\d+)\s*(b|kb|mb)?$/i;
const UNIT_BYTES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** `16mb` → bytes (the text already matched SIZE). */
function bytesOf(text: string): number {
  const [, n = '0', unit = 'b'] = SIZE.exec(text) ?? [];
  return Number(n) * (UNIT_BYTES[unit.toLowerCase()] ?? 1);
}

/** parseTrustProxy's reason as the schema's issue, so the message names AF_TRUST_PROXY. */
function trustProxyOf(text: string, ctx: z.RefinementCtx): boolean | number | string {
  try {
    return parseTrustProxy(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
}

/** An empty variable (`AF_API_TOKEN=`) means unset, not an empty token. */
const optionalText = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

const ServeEnvSchema = z.object({
  AF_HOST: optionalText,
  AF_API_TOKEN: optionalText,
  AF_VIEWER_TOKEN: optionalText,
  /** The largest JSON body POST /api/batches takes: bytes, or with kb / mb (a 10,000-requirement batch is ~1.5 MB). */
  AF_BODY_LIMIT: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(SIZE, 'a size like 1048576, 512kb or 16mb').transform(bytesOf).optional()),
  /** Behind a reverse proxy: which hops to trust for the client's address (express's trust proxy: true, a hop count, or addresses/subnets). */
  AF_TRUST_PROXY: z.preprocess((v) => (v === '' ? undefined : v), z.string().transform(trustProxyOf).optional()),
});

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  const issue = result.error?.issues[0];
  // The variable's name when the value came from the environment ("AF_BODY_LIMIT: a size like …").
  if (!result.success) throw new UsageError(`${issue?.path.length ? issue.path.join('.') : what}: ${issue?.message ?? 'invalid'}`);
  return result.data;
}

/** `agent-factory serve`: Bull Board, the REST API and health checks over the shared Redis. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve Bull Board (/admin/queues), the REST API (/api) with SSE progress, /healthz and /readyz.')
    .option('--host <host>', 'address to bind (AF_HOST; default 127.0.0.1; anything but loopback needs AF_API_TOKEN)')
    .option('--port <port>', 'port to listen on (AF_PORT; default 3000; 0 picks a free one)')
    .addHelpText(
      'after',
      '\nEnvironment: REDIS_URL, AF_PREFIX (and the other queue settings), AF_API_TOKEN (Bearer token or basic-auth password, full access),\n' +
        'AF_VIEWER_TOKEN (read-only Bull Board and GET routes), AF_BODY_LIMIT (largest request body, default 1mb), AF_TRUST_PROXY (behind a reverse proxy), LOG_LEVEL, LOG_FORMAT.',
    )
    .action(async (flags: ServeFlags) => {
      const env = parse(ServeEnvSchema, process.env, 'environment');
      const host = flags.host ?? env.AF_HOST ?? '127.0.0.1';
      const port = serverPort(flags.port);
      let queueConfig: QueueConfig;
      let observability: ObservabilitySettings;
      let level: string;
      try {
        level = logLevelFromEnv(process.env);
        queueConfig = queueConfigFromEnv(process.env);
        observability = observabilityFromEnv(process.env);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      const tokens = { apiToken: env.AF_API_TOKEN, viewerToken: env.AF_VIEWER_TOKEN };
      try {
        checkListenOptions({ host, ...tokens });
      } catch (error) {
        // An open bind without a token, or unusable tokens: bad usage, refused before touching Redis.
        throw new UsageError((error as Error).message);
      }
      // Logs go to stderr: stdout carries the URLs a script may read.
      const logger = createLogger({ component: 'server' }, { level, destination: 2 });

      const conn = await connect(queueConfig, { logger });
      let server: RunningServer;
      try {
        server = await startServer(conn, {
          host,
          port,
          ...tokens,
          logger,
          ...(env.AF_BODY_LIMIT !== undefined ? { bodyLimit: env.AF_BODY_LIMIT } : {}),
          ...(env.AF_TRUST_PROXY !== undefined ? { trustProxy: env.AF_TRUST_PROXY } : {}),
        });
      } catch (error) {
        await conn.close(); // e.g. the port is in use
        throw error;
      }
      // The server checks the alert thresholds for the whole cluster (once between several servers).
      const alerts = watchAlerts(conn, observability.alerts, { logger });
      const auth = env.AF_API_TOKEN ? `token auth${env.AF_VIEWER_TOKEN ? ' (API and viewer tokens)' : ''}` : 'no token (loopback only)';
      process.stdout.write(`Dashboard at ${server.url}/\nBull Board at ${server.boardUrl}\nAPI at ${server.url}/api/batches, ${auth}. Ctrl-C stops.\n`);

      const signal = await untilStopSignal();
      logger.info({ signal }, 'shutting down');
      alerts.stop();
      await server.close();
      await conn.close();
      // Anything left holding the event loop (a stray socket) must not keep a stopped server alive.
      setTimeout(() => process.exit(0), 2000).unref();
    });
}
