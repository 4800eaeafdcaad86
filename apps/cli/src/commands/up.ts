import { displayRedisUrl } from '@agent-factory/queue';
import type { Command } from 'commander';
import { startLocalCluster } from '../cluster.js';
import { checkClusterSettings } from '../cluster-settings.js';
import { stopAndExit, untilClusterEnds, whileClusterRuns } from '../cluster-run.js';
import { findOrStartRedis, NO_REDIS_HELP } from '../local-redis.js';
import { serverPort } from '../port-flag.js';
import { passwordNote, withRedisUrl } from '../redis-hint.js';
import { untilStopSignal } from '../stop-signal.js';
import { UsageError } from '../usage-error.js';

interface UpFlags {
  workers: string;
  port?: string;
  host?: string;
  server: boolean;
}

/** `agent-factory up`: Redis (found or started), N worker processes and the server on one machine. */
export function registerUp(program: Command): void {
  program
    .command('up')
    .description('Run the whole factory on this machine: Redis (found or started), workers and the server with Bull Board.')
    .option('-w, --workers <n>', 'worker processes', '2')
    .option('-p, --port <port>', 'server port (AF_PORT; default 3000; 0 picks a free one)')
    .option('--host <host>', 'server address (AF_HOST; default 127.0.0.1; anything but loopback needs AF_API_TOKEN)')
    .option('--no-server', 'start only the workers')
    .action(async (flags: UpFlags) => {
      const workers = Number(flags.workers);
      if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new UsageError('--workers must be a whole number from 1 to 64');
      const port = flags.server ? serverPort(flags.port) : undefined;
      await checkClusterSettings(process.env, flags.server);
      // From before the first child: a signal at any point stops whatever was started.
      const signal = untilStopSignal();
      const redis = await findOrStartRedis();
      if (!redis) {
        process.stderr.write(`${NO_REDIS_HELP}\n`);
        process.exitCode = 1;
        return;
      }
      const cluster = startLocalCluster({ redisUrl: redis.url, workers, port, ...(flags.host !== undefined ? { host: flags.host } : {}) });
      const stopAll = async (): Promise<void> => {
        await cluster.stop();
        await redis.stop();
      };
      // Stopped by a signal is how `up` ends: exit 0 then, as `serve` and `worker` do.
      const started = await whileClusterRuns(cluster.ready, signal, cluster);
      if (!('done' in started)) return stopAndExit(started, stopAll, () => 0);
      const url = started.done;
      process.stdout.write(
        `Redis ${displayRedisUrl(redis.url)} (${redis.origin}), ${workers} worker process(es)` +
          (url ? `, dashboard at ${url}/, Bull Board at ${url}/admin/queues` : '') +
          `.\nSubmit with \`${withRedisUrl(redis.url, 'submit FILE')}\`${passwordNote(redis.url)}; add workers from another terminal with \`${withRedisUrl(redis.url, 'worker')}\`${passwordNote(redis.url)}. Ctrl-C stops.\n`,
      );
      return stopAndExit(await untilClusterEnds(signal, cluster), stopAll, () => 0);
    });
}
