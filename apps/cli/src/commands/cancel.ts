import { cancelBatch, cancelUnsettled, getBatch } from '@agent-factory/queue/client';
import type { Command } from 'commander';
import { withQueue } from '../queue-session.js';
import { UsageError } from '../usage-error.js';

/** `agent-factory cancel BATCH`: stops its queued jobs and aborts its running ones on every worker. */
export function registerCancel(program: Command): void {
  program
    .command('cancel')
    .description("Cancel a running or interrupted batch: its queued requirements are dropped and its running ones aborted on every worker.")
    .argument('<batch>', 'batch id')
    .option('--json', 'print the batch status as JSON')
    .action(async (batchId: string, flags: { json?: boolean }) => {
      await withQueue(async (conn) => {
        const before = await getBatch(conn, batchId);
        if (!before) throw new UsageError(`no batch ${batchId} (unknown, or its retention ended)`);
        // A cancel that was interrupted (Ctrl-C, a crash) left items unended: this one finishes it.
        const stoppable = before.state === 'running' || before.state === 'interrupted' || cancelUnsettled(before);
        const after = stoppable ? await cancelBatch(conn, batchId) : before;
        if (!after) throw new UsageError(`no batch ${batchId} (its retention ended)`);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(after, null, 2)}\n`);
          return;
        }
        const { completed, failed, cancelled } = after.counts;
        process.stdout.write(
          stoppable
            ? `cancelled batch ${batchId}: ${cancelled} requirement(s) stopped; ${completed} had completed and ${failed} had failed before.\n`
            : `batch ${batchId} is already ${before.state}; nothing to cancel.\n`,
        );
      });
    });
}
