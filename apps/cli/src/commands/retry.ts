import { retryBatch, retryRefusal, RETRY_LIMIT, type BatchStatus } from '@agent-factory/queue/client';
import type { Command } from 'commander';
import { progressMode, waitStoppably } from '../batch-progress.js';
import { describeBatch } from '../batch-view.js';
import { withQueue } from '../queue-session.js';
import { UsageError } from '../usage-error.js';

/** `agent-factory retry BATCH`: runs a finished batch's failed requirements again, in the same batch. */
export function registerRetry(program: Command): void {
  program
    .command('retry')
    .description("Run a finished batch's failed requirements again, in the same batch (its results, index and webhook follow).")
    .argument('<batch>', 'batch id')
    .option('--wait', 'wait for them to finish, with a progress bar')
    .option('--json', 'print the outcome as JSON')
    .action(async (batchId: string, flags: { wait?: boolean; json?: boolean }) => {
      await withQueue(async (conn) => {
        const outcome = await retryBatch(conn, batchId);
        if (outcome.outcome !== 'retried') throw new UsageError(retryRefusal(outcome.outcome, batchId));
        let status: BatchStatus | undefined;
        if (flags.wait && outcome.retried > 0) {
          status = await waitStoppably(conn, batchId, progressMode(flags.json));
          if (!status) return;
        }
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ ...outcome, ...(status ? { status } : {}) }, null, 2)}\n`);
          return;
        }
        const more = outcome.remaining > 0 ? ` ${outcome.remaining} more failed ones wait for the next retry (at most ${RETRY_LIMIT} at a time), once these end.` : '';
        process.stdout.write(`batch ${batchId}: ${outcome.retried} failed requirement(s) queued again.${more}\n`);
        if (status) {
          process.stdout.write(`${describeBatch(status)}\n`);
          if (status.counts.failed > 0) process.exitCode = 1;
        }
      });
    });
}
