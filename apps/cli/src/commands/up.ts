import { untilStopSignal } from '../stop-signal.js';
import type { Command } from 'commander';
import { startLocalCluster } from '../cluster.js';
import { findOrStartRedis, NO_REDIS_HELP } from '../local-redis.js';
import { UsageError } from '../usage-error.js';

interface UpFlags {
  workers: string;
  port: string;
  server: boolean;
}

/** `agent-factory up`: Redis (found or started), N worker processes and the server on one machine. */
export function registerUp(program: Command): void {
  program
    .command('up')
    .description('Run the whole factory on this machine: Redis (found or started), workers and the server with Bull Board.')
    .option('-w, --workers <n>', 'worker processes', '2')
    .option('-p, --port <port>', 'server port', process.env['AF_PORT'] ?? '3000')
    .option('--no-server', 'start only the workers')
    .action(async (flags: UpFlags) => {
      const workers = Number(flags.workers);
      if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new UsageError('--workers must be a whole number from 1 to 64');
      const redis = await findOrStartRedis();
      if (!redis) {
        process.stderr.write(`${NO_REDIS_HELP}\n`);
        process.exitCode = 1;
        return;
      }
      const cluster = startLocalCluster({ redisUrl: redis.url, workers, port: flags.server ? Number(flags.port) : undefined });
      process.stdout.write(
        `Redis ${redis.url} (${redis.origin}), ${workers} worker process(es)` +
          (cluster.serverUrl ? `, dashboard at ${cluster.serverUrl}/, Bull Board at ${cluster.serverUrl}/admin/queues` : '') +
          '.\nSubmit with `agent-factory submit FILE`; add workers from another terminal with `agent-factory worker`. Ctrl-C stops.\n',
      );
      await untilStopSignal();
      await cluster.stop();
      await redis.stop();
    });
}
