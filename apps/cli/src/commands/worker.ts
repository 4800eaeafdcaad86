import { runWorkerUntilSignal, WorkerSettingsError } from '@agent-factory/worker';
import type { Command } from 'commander';
import { UsageError } from '../usage-error.js';

interface WorkerFlags {
  stages?: string;
  concurrency?: string;
}

/** `agent-factory worker`: one worker process; start as many as you like, on any machine sharing the Redis. */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('Run pipeline stages from the shared queues until SIGTERM/SIGINT (REDIS_URL, AF_PREFIX, AF_CONCURRENCY, AF_STAGES).')
    .option('-s, --stages <list>', 'stages to run, e.g. analyze,research (default: all four)')
    .option('-c, --concurrency <list>', 'jobs in flight per stage, e.g. generate=16,validate=50')
    .action(async (flags: WorkerFlags) => {
      try {
        await runWorkerUntilSignal({ ...(flags.stages ? { stages: flags.stages } : {}), ...(flags.concurrency ? { concurrency: flags.concurrency } : {}) });
      } catch (error) {
        // Bad flags or environment exit 2; anything else (Redis unreachable or refused) exits 1.
        if (error instanceof WorkerSettingsError) throw new UsageError(error.message);
        throw error;
      }
    });
}
