import { getBatch } from '@agent-factory/queue/client';
import { writeBatchResults, type Layout } from '@agent-factory/sdk/output';
import type { Command } from 'commander';
import { asUsageError } from '../factory.js';
import { layoutOption } from '../output-options.js';
import { withQueue } from '../queue-session.js';
import { UsageError } from '../usage-error.js';
import { describeResults } from '../write-results.js';

/** Said after the summary when the results are not the whole batch's yet. */
const STATE_NOTES: Partial<Record<string, string>> = {
  running: ' (the batch is still running)',
  interrupted: ' (the batch is interrupted: only the requirements enqueued before its submit stopped are in it; see `agent-factory status`)',
};

/** `agent-factory results BATCH --out DIR [--layout plugin] [--dry-run] [--json]`: agent files plus index.json. */
export function registerResults(program: Command): void {
  program
    .command('results')
    .description("Write a batch's agent files and index.json (input id → file, gates, tokens, timings, or the failure reason).")
    .argument('<batch>', 'batch id')
    .requiredOption('-o, --out <dir>', 'folder for the agent files and index.json (existing files are never overwritten)')
    .addOption(layoutOption())
    .option('--dry-run', 'write nothing: print the diff of what would be written')
    .option('--json', 'print the summary as JSON')
    .action(async (batchId: string, flags: { out: string; layout: Layout; dryRun?: boolean; json?: boolean }) => {
      await withQueue(async (conn) => {
        const status = await getBatch(conn, batchId);
        if (!status) throw new UsageError(`no batch ${batchId} (unknown, or its retention ended)`);
        const summary = await writeBatchResults(conn, batchId, flags.out, { layout: flags.layout, dryRun: flags.dryRun }).catch((error: unknown) => {
          throw asUsageError(error);
        });
        if (flags.json) process.stdout.write(`${JSON.stringify({ batch: status, results: summary }, null, 2)}\n`);
        else process.stdout.write(`${summary.diff ?? ''}${describeResults(summary)}${STATE_NOTES[status.state] ?? ''}\n`);
        if (summary.failed > 0) process.exitCode = 1;
      });
    });
}
