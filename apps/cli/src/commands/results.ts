import { getBatch } from '@agent-factory/queue';
import type { Command } from 'commander';
import { withQueue } from '../queue-session.js';
import { UsageError } from '../usage-error.js';
import { describeResults, writeBatchResults } from '../write-results.js';

/** `agent-factory results BATCH --out DIR [--json]`: agent files plus index.json. */
export function registerResults(program: Command): void {
  program
    .command('results')
    .description("Write a batch's agent files and index.json (input id → file, gates, tokens, timings, or the failure reason).")
    .argument('<batch>', 'batch id')
    .requiredOption('-o, --out <dir>', 'folder for the agent files and index.json (existing files are never overwritten)')
    .option('--json', 'print the summary as JSON')
    .action(async (batchId: string, flags: { out: string; json?: boolean }) => {
      await withQueue(async (conn) => {
        const status = await getBatch(conn, batchId);
        if (!status) throw new UsageError(`no batch ${batchId} (unknown, or its retention ended)`);
        const summary = await writeBatchResults(conn, batchId, flags.out);
        if (flags.json) process.stdout.write(`${JSON.stringify({ batch: status, results: summary }, null, 2)}\n`);
        else process.stdout.write(`${describeResults(summary)}${status.state === 'running' ? ' (the batch is still running)' : ''}\n`);
        if (summary.failed > 0) process.exitCode = 1;
      });
    });
}
