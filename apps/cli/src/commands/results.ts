import { deleteBatch, getBatch } from '@agent-factory/queue/client';
import { writeBatchResults, type Layout } from '@agent-factory/sdk/output';
import type { Command } from 'commander';
import { asUsageError } from '../factory.js';
import { layoutOption, writableFolder } from '../output-options.js';
import { withQueue } from '../queue-session.js';
import { UsageError } from '../usage-error.js';
import { DiffSpool } from '../diff-spool.js';
import { describeResults } from '../write-results.js';
import { StdoutChunks } from '../write-stdout.js';

/** Said after the summary when the results are not the whole batch's yet. */
const STATE_NOTES: Partial<Record<string, string>> = {
  running: ' (the batch is still running)',
  interrupted: ' (the batch is interrupted: only the requirements enqueued before its submit stopped are in it; see `agent-factory status`)',
};

/** `agent-factory results BATCH --out DIR [--layout plugin] [--dry-run] [--delete] [--json]`: agent files plus index.json. */
export function registerResults(program: Command): void {
  program
    .command('results')
    .description("Write a batch's agent files and index.json (input id → file, gates, tokens, timings, or the failure reason).")
    .argument('<batch>', 'batch id')
    .requiredOption('-o, --out <dir>', 'folder for the agent files and index.json (existing files are never overwritten)')
    .addOption(layoutOption())
    .option('--dry-run', 'write nothing: print the diff of what would be written')
    .option('--delete', 'once everything is written, delete the batch and its results from Redis (a finished batch only)')
    .option('--json', 'print the summary as JSON')
    .action(async (batchId: string, flags: { out: string; layout: Layout; dryRun?: boolean; delete?: boolean; json?: boolean }) => {
      if (flags.delete && flags.dryRun) throw new UsageError('--delete writes the results before it deletes them: drop --dry-run');
      await withQueue(async (conn) => {
        const status = await getBatch(conn, batchId);
        if (!status) throw new UsageError(`no batch ${batchId} (unknown, or its retention ended)`);
        // Checked before writing, so the files never come without the deletion that was asked for.
        if (flags.delete && status.finishedAt === undefined) {
          throw new UsageError(`--delete needs a finished batch: ${batchId} is ${status.state} with ${status.counts.pending} requirement(s) pending; collect it without --delete, or once it has finished`);
        }
        if (!flags.dryRun) await writableFolder(flags.out);
        // The diff goes out file by file as it is made (it can run to hundreds of MB), or, for --json, to disk until the summary is known.
        const spool = flags.dryRun && flags.json ? await DiffSpool.open() : undefined;
        try {
          const diff = new StdoutChunks();
          const onDiff = flags.dryRun ? (spool?.write ?? ((patch: string) => diff.write(patch))) : undefined;
          const summary = await writeBatchResults(conn, batchId, flags.out, { layout: flags.layout, dryRun: flags.dryRun, onDiff }).catch((error: unknown) => {
            throw asUsageError(error);
          });
          await diff.flush();
          const deleted = flags.delete ? (await deleteBatch(conn, batchId)) === 'deleted' : false;
          const document = (diff?: string): object => ({ batch: status, results: diff === undefined ? summary : { ...summary, diff }, ...(flags.delete ? { deleted } : {}) });
          if (spool) await spool.printJson(document);
          else if (flags.json) process.stdout.write(`${JSON.stringify(document(), null, 2)}\n`);
          else process.stdout.write(`${describeResults(summary, flags.dryRun)}${STATE_NOTES[status.state] ?? ''}\n${deleted ? `batch ${batchId} and its results deleted from Redis\n` : ''}`);
          if (summary.failed > 0) process.exitCode = 1;
        } finally {
          await spool?.close();
        }
        // Without --delete it only reads.
      }, { readOnly: !flags.delete });
    });
}
