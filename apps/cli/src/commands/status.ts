import { countBatches, getBatch, listBatches, redisRefusingWrites, type FactoryConnection } from '@agent-factory/queue/client';
import type { Command } from 'commander';
import { batchTable, describeBatch } from '../batch-view.js';
import { withQueue } from '../queue-session.js';
import { UsageError } from '../usage-error.js';

/** Which of how many the table shows, and how to see the others: without it, a listing looks complete. */
function listedOf(shown: number, offset: number, count: number): string {
  const more = offset + shown < count ? ` (--offset ${offset + shown} for older ones)` : '';
  return `batches ${offset + 1}–${offset + shown} of ${count}, newest first${more}`;
}

/** A Redis that refuses writes (full, or unable to save) moves no batch: said under any view, since the counts alone cannot tell why. */
async function warnIfRefusing(conn: FactoryConnection): Promise<void> {
  const refusal = await redisRefusingWrites(conn.redis);
  if (refusal) process.stderr.write(`agent-factory: warning: ${refusal.message}\n`);
}

/** `agent-factory status [BATCH] [--json]`: one batch, or the recent ones. */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description("A batch's state and counts, or the recent batches as a table.")
    .argument('[batch]', 'batch id (default: list the recent batches)')
    .option('-n, --limit <n>', 'batches to list', '20')
    .option('--offset <n>', 'skip this many of the newest batches first', '0')
    .option('--json', 'print JSON')
    .action(async (batchId: string | undefined, flags: { limit: string; offset: string; json?: boolean }) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit must be a whole number from 1 to 1000');
      const offset = Number(flags.offset);
      if (!Number.isInteger(offset) || offset < 0) throw new UsageError('--offset must be a whole number, 0 or more');
      await withQueue(async (conn) => {
        await warnIfRefusing(conn);
        if (batchId === undefined) {
          const [batches, count] = await Promise.all([listBatches(conn, limit, offset), countBatches(conn)]);
          if (flags.json) process.stdout.write(`${JSON.stringify(batches, null, 2)}\n`);
          else process.stdout.write(`${batches.length > 0 ? `${batchTable(batches)}\n${listedOf(batches.length, offset, count)}` : offset > 0 ? `no batches past the newest ${offset} (${count} in all)` : 'no batches'}\n`);
          return;
        }
        const status = await getBatch(conn, batchId);
        if (!status) throw new UsageError(`no batch ${batchId} (unknown, or its retention ended)`);
        process.stdout.write(`${flags.json ? JSON.stringify(status, null, 2) : describeBatch(status)}\n`);
      }, { readOnly: true });
    });
}
