import { connect, createLogger, watchAlerts } from '@agent-factory/queue';
import { checkListenOptions, startServer, type RunningServer } from '@agent-factory/server';
import { untilStopSignal } from '../stop-signal.js';
import type { Command } from 'commander';
import { serverPort } from '../port-flag.js';
import { serveSettings } from '../serve-settings.js';
import { UsageError } from '../usage-error.js';

interface ServeFlags {
  host?: string;
  port?: string;
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
      const { env, level, queueConfig, observability } = serveSettings(process.env);
      const host = flags.host ?? env.AF_HOST ?? '127.0.0.1';
      const port = serverPort(flags.port);
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
