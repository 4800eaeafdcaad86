import { RequirementTextSchema } from '@agent-factory/core';
import { DEFAULT_SAMPLE, formatReport, runDoctor } from '@agent-factory/queue';
import type { Command } from 'commander';
import { openDoctorResearch } from '../doctor-research.js';
import { UsageError } from '../usage-error.js';

/** `agent-factory doctor [--json] [--sample TEXT]`: the deployment checklist; exit 1 when a check fails. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('Check a deployment: Redis, stage queues, provider key, research source, a sample agent, logging, metrics, alerts.')
    .option('--sample <requirement>', 'the requirement of the sample agent', DEFAULT_SAMPLE)
    .option('--json', 'print JSON')
    .action(async (flags: { sample: string; json?: boolean }) => {
      const sample = RequirementTextSchema.safeParse(flags.sample);
      if (!sample.success) throw new UsageError(`--sample: ${sample.error.issues[0]?.message ?? 'invalid'}`);
      const report = await runDoctor({ env: process.env, sample: sample.data, research: () => openDoctorResearch(process.env) });
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
      if (report.failed > 0) process.exitCode = 1;
    });
}
