import { getBatch, listBatches } from '@agent-factory/queue/client';
import type { Command } from 'commander';
import { batchTable, describeBatch } from '../batch-view.js';
import { withQueue } from '../queue-session.js';
import { UsageError } from '../usage-error.js';

/** `agent-factory status [BATCH] [--json]`: one batch, or the recent ones. */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description("A batch's state and counts, or the recent batches as a table.")
    .argument('[batch]', 'batch id (default: list the recent batches)')
    .option('-n, --limit <n>', 'batches to list', '20')
    .option('--json', 'print JSON')
    .action(async (batchId: string | undefined, flags: { limit: string; json?: boolean }) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit must be a whole number from 1 to 1000');
      await withQueue(async (conn) => {
        if (batchId === undefined) {
          const batches = await listBatches(conn, limit);
          if (flags.json) process.stdout.write(`${JSON.stringify(batches, null, 2)}\n`);
          else process.stdout.write(`${batches.length > 0 ? batchTable(batches) : 'no batches'}\n`);
          return;
        }
        const status = await getBatch(conn, batchId);
        if (!status) throw new UsageError(`no batch ${batchId} (unknown, or its retention ended)`);
        process.stdout.write(`${flags.json ? JSON.stringify(status, null, 2) : describeBatch(status)}\n`);
      });
    });
}
