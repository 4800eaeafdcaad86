import { metricsReport, parseSince } from '@agent-factory/queue';
import type { Command } from 'commander';
import { withQueue } from '../queue-session.js';
import { formatReport } from '../report-view.js';
import { UsageError } from '../usage-error.js';

/** `agent-factory report [--batch ID] [--since 1h] [--json]`: performance, tokens and cost from the cluster's metrics. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('Performance, token and cost report of a batch or of the last hours, for the whole cluster.')
    .option('--batch <id>', 'one batch, its whole life')
    .option('--since <duration>', 'window: 15m, 1h, 7d (at most 30d)', '1h')
    .option('--json', 'print JSON')
    .action(async (flags: { batch?: string; since: string; json?: boolean }) => {
      let sinceMs: number;
      try {
        sinceMs = parseSince(flags.since);
      } catch (error) {
        throw new UsageError(`--since: ${(error as Error).message}`);
      }
      await withQueue(async (conn) => {
        const report = await metricsReport(conn, { ...(flags.batch ? { batch: flags.batch } : {}), sinceMs });
        if (!report) throw new UsageError(`no batch ${flags.batch} (unknown, or its retention ended)`);
        process.stdout.write(`${flags.json ? JSON.stringify(report, null, 2) : formatReport(report)}\n`);
      }, { readOnly: true });
    });
}
