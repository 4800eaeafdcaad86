import { writeFile, mkdir } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentResult, Usage } from '@agent-factory/core';
import { batchResults, displayRedisUrl, submitBatch } from '@agent-factory/queue';
import type { FailedSpend } from '@agent-factory/sdk';
import { OutputFolder, writeBatchResults, type Layout } from '@agent-factory/sdk/output';
import type { Command } from 'commander';
import { rowOfAgent, rowOfItem, tierTable, type ReportRow } from '../batch-report.js';
import { progressMode, waitForBatch } from '../batch-progress.js';
import { startLocalCluster } from '../cluster.js';
import { checkClusterSettings } from '../cluster-settings.js';
import { stopAndExit, untilClusterEnds, whileClusterRuns } from '../cluster-run.js';
import { withFactory } from '../factory.js';
import { demoPace, paceEnv } from '../demo-pace.js';
import { findOrStartRedis, NO_REDIS_HELP, type RedisAfterStop } from '../local-redis.js';
import { layoutOption } from '../output-options.js';
import { serverPort } from '../port-flag.js';
import { checkPreviousRun, removePreviousRun } from '../previous-run.js';
import { withQueue } from '../queue-session.js';
import { readRequirements, type IdentifiedRequirement } from '../read-requirements.js';
import { afterRunHint, passwordNote, withRedisUrl } from '../redis-hint.js';
import { signalExitCode, untilStopSignal } from '../stop-signal.js';
import { UsageError } from '../usage-error.js';

const EXAMPLE = fileURLToPath(new URL('../../../../examples/requirements.jsonl', import.meta.url));

interface StartFlags {
  out: string;
  layout: Layout;
  workers: string;
  port?: string;
  host?: string;
  inProcess?: boolean;
  stay?: boolean;
  pace?: string;
  cache: boolean;
}

/** A failure's billed tokens and cost, as the queue's index.json shows them (its paid first draft still cost). */
function spentFields(spent: FailedSpend | undefined): { usage?: Omit<Usage, 'estimated'>; costUsd?: number } {
  if (!spent) return {};
  const { input, output, cacheCreation, cacheRead } = spent.billed.usage;
  return { usage: { input, output, cacheCreation, cacheRead }, ...(spent.costUsd !== null ? { costUsd: spent.costUsd } : {}) };
}

/** The same pipeline without the queue, a few requirements in flight at once: the fallback without Redis. */
async function runInProcess(requirements: IdentifiedRequirement[], out: string, layout: Layout): Promise<ReportRow[]> {
  return withFactory({}, async (factory) => {
    // Loaded already by withFactory: the SDK's entry, which this module leaves out of every other command's start-up.
    const { failedSpend } = await import('@agent-factory/sdk');
    await removePreviousRun(out);
    const folder = await OutputFolder.open(out, { layout });
    const results: { id: string; result?: AgentResult; file?: string; name?: string; error?: string; spent?: FailedSpend }[] = [];
    let next = 0;
    const runner = async (): Promise<void> => {
      while (next < requirements.length) {
        const item = requirements[next++]!;
        try {
          const result = await factory.generate(item.requirement, { tier: item.tier, model: item.model });
          const written = await folder.addAgent(result.name, result.content);
          results.push({ id: item.id, result, file: relative(folder.root, written.path), name: written.name });
        } catch (error) {
          const spent = failedSpend(error);
          results.push({ id: item.id, error: (error as Error).message, ...(spent ? { spent } : {}) });
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, runner));
    const index = Object.fromEntries(
      results.map((r) => [r.id, r.result ? { file: r.file, name: r.name, tier: r.result.plan.complexity.tier, gates: Object.fromEntries(r.result.report.gates.map((g) => [g.gate, g.score])), tokens: r.result.budget.total.tokens, timings: r.result.timings } : { error: r.error, ...spentFields(r.spent) }]),
    );
    await writeFile(folder.writePath('index.json'), `${JSON.stringify(index, null, 2)}\n`);
    await folder.finish();
    return results.flatMap((r) => (r.result ? [rowOfAgent(r.result)] : []));
  });
}

/** `agent-factory start [FILE]` (`npm start`): the example batch through Redis, workers and the server. */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('Run a batch (default: the bundled example) through Redis, worker processes and the server, and write the agents; in-process when no Redis can be found or started.')
    .argument('[file]', 'requirements file (JSONL, CSV or text)', EXAMPLE)
    .option('-o, --out <dir>', 'folder for the agent files and index.json', 'out/agents')
    .addOption(layoutOption())
    .option('-w, --workers <n>', 'worker processes', '2')
    .option('-p, --port <port>', 'server port (Bull Board; AF_PORT; default 3000; 0 picks a free one)')
    .option('--host <host>', 'server address (AF_HOST; default 127.0.0.1; anything but loopback needs AF_API_TOKEN)')
    .option('--in-process', 'skip Redis: run the pipeline in this process')
    .option('--stay', 'keep Redis, workers and the server running after the batch (default when run in a terminal)')
    .option('--no-cache', 'generate every agent again, even those an earlier run left in the agents cache (to watch the batch move again)')
    .option('--pace <ms>', 'each generation takes this long, one at a time per worker, to watch the batch in Bull Board and add a worker while it runs (default 500 in a terminal with the offline generator, else 0)')
    .action(async (file: string, flags: StartFlags) => {
      const workers = Number(flags.workers);
      if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new UsageError('--workers must be a whole number from 1 to 64');
      const port = serverPort(flags.port);
      const interactive = process.stdout.isTTY === true;
      const pace = demoPace(flags.pace, interactive);
      if (!flags.inProcess) await checkClusterSettings({ ...process.env, ...paceEnv(pace) }, true);
      const requirements = await readRequirements(file);
      await mkdir(flags.out, { recursive: true });
      // Before anything runs: an index.json of the user's there is never replaced.
      await checkPreviousRun(flags.out);
      const began = performance.now();
      // From before the first child: a signal at any point stops whatever was started, workers first.
      const signal = untilStopSignal();
      const redis = flags.inProcess ? undefined : await findOrStartRedis();
      if (!redis) {
        void signal.then((s) => process.exit(signalExitCode(s)));
        if (!flags.inProcess) process.stderr.write(`${NO_REDIS_HELP}\nRunning the batch in this process instead.\n\n`);
        const rows = await runInProcess(requirements, flags.out, flags.layout);
        const seconds = ((performance.now() - began) / 1000).toFixed(2);
        process.stdout.write(`${tierTable(rows)}\n\n${rows.length} of ${requirements.length} agents written to ${flags.out} in ${seconds} s (in-process).\n`);
        if (rows.length < requirements.length || rows.some((r) => !r.passed)) process.exitCode = 1;
        return;
      }
      process.env['REDIS_URL'] = redis.url;
      const paced = paceEnv(pace);
      const cluster = startLocalCluster({ redisUrl: redis.url, workers, port, ...(flags.host !== undefined ? { host: flags.host } : {}), env: paced });
      const stopAll = async (): Promise<RedisAfterStop> => {
        await cluster.stop();
        return redis.stop();
      };
      const stay = flags.stay ?? interactive;
      const started = await whileClusterRuns(cluster.ready, signal, cluster);
      if (!('done' in started)) return stopAndExit(started, stopAll, signalExitCode);
      const url = started.done;
      const upSeconds = ((performance.now() - began) / 1000).toFixed(2);
      process.stderr.write(`Redis ${displayRedisUrl(redis.url)} (${redis.origin}), ${workers} worker process(es), dashboard at ${url}/, Bull Board at ${url}/admin/queues\n`);
      if (pace > 0) process.stderr.write(`Generations paced at ${pace} ms, one at a time per worker, so the batch can be watched (--pace 0: full speed).\n`);
      if (stay) process.stderr.write(`While it runs, add a worker from another terminal: ${withRedisUrl(redis.url, 'worker', paced)}${passwordNote(redis.url)}\n`);
      // A stop ends the wait too, so its bar gives the terminal its cursor back before the exit.
      const stopWaiting = new AbortController();
      void untilClusterEnds(signal, cluster).then(() => stopWaiting.abort());
      let submittedId: string | undefined;
      // The batch's time is its own: starting Redis, the workers and the server is said apart.
      let submitAt = performance.now();
      const batch = withQueue(async (conn) => {
        submitAt = performance.now();
        const submitted = await submitBatch(conn, requirements, { name: 'example', useCache: flags.cache });
        submittedId = submitted.id;
        const finished = await waitForBatch(conn, submitted.id, progressMode(false), stopWaiting.signal);
        await removePreviousRun(flags.out);
        const written = await writeBatchResults(conn, finished.id, flags.out, { layout: flags.layout });
        const found: ReportRow[] = [];
        const byWorker = new Map<string, number>();
        let fromCache = 0;
        for await (const r of batchResults(conn, finished.id)) {
          const row = rowOfItem(r);
          if (row) found.push(row);
          // A cached answer was generated by an earlier run's worker, not by one of these.
          if (r.cached) fromCache++;
          else if (r.worker) byWorker.set(r.worker, (byWorker.get(r.worker) ?? 0) + 1);
        }
        return { status: finished, rows: found, summary: written, byWorker, fromCache };
      });
      const ran = await whileClusterRuns(batch, signal, cluster).catch(async (error: unknown) => {
        await stopAll();
        throw error;
      });
      if (!('done' in ran)) {
        // Stopped mid-batch: the batch stays in Redis, unfinished; say where it stands and how to follow or drop it,
        // once Redis is let go of, as this run may have stopped it.
        const stopAndTell = async (): Promise<void> => {
          const after = await stopAll();
          if (submittedId) process.stderr.write(`agent-factory: batch ${submittedId} was left unfinished: it goes on once workers run against this Redis again (${afterRunHint(redis.url, after, `status ${submittedId}`)}; \`cancel ${submittedId}\` drops it)\n`);
        };
        return stopAndExit(ran, stopAndTell, signalExitCode);
      }
      const { status, rows, summary, byWorker, fromCache } = ran.done;
      const seconds = ((performance.now() - submitAt) / 1000).toFixed(2);
      process.stdout.write(
        `${tierTable(rows)}\n\nBatch ${status.id}: ${status.counts.completed} completed, ${status.counts.failed} failed of ${status.total}; ` +
          `${summary.files} agent files and index.json in ${flags.out}, ${seconds} s from submit to files written ` +
          `(Redis, ${workers} worker process(es) and the server were up ${upSeconds} s after the start).\n` +
          (byWorker.size > 0 ? `Generated by worker: ${[...byWorker].map(([w, n]) => `${w} ${n}`).join(', ')}.\n` : '') +
          (fromCache > 0 ? `From the agents cache (generated before): ${fromCache} (--no-cache generates them again).\n` : ''),
      );
      // The report reads Redis: said once it is known whether this run's end stops it (a redis-server this
      // run started, or one it shared and left last), so the command shown works when the user runs it.
      const reportHint = (after: RedisAfterStop): string => `Tokens, cost and timings per stage: ${afterRunHint(redis.url, after, `report --batch ${status.id}`)}\n`;
      const code = status.counts.failed > 0 || summary.notPassed > 0 ? 1 : 0;
      if (stay) {
        process.stdout.write(reportHint('left running'));
        process.stdout.write(`Dashboard: ${url}/, Bull Board: ${url}/admin/queues. Add a worker from another terminal with \`${withRedisUrl(redis.url, 'worker')}\`${passwordNote(redis.url)}. Ctrl-C stops.\n`);
        // The batch is done: a signal now is the normal end, with the batch's exit code.
        return stopAndExit(await untilClusterEnds(signal, cluster), stopAll, () => code);
      }
      process.stdout.write(reportHint(await stopAll()));
      process.exitCode = code;
    });
}
