import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPipeline, type AgentResult } from '@agent-factory/core';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { createResearch } from '../docs-source.js';
import { readRequirementsJsonl } from '../read-requirements.js';
import { batchReport } from '../batch-report.js';
import { writeAgent } from '../write-agent.js';

const EXAMPLE = fileURLToPath(new URL('../../../../examples/requirements.jsonl', import.meta.url));

interface StartFlags {
  out: string;
  concurrency: string;
}

/** `agent-factory start [FILE]`: the example batch, end to end, in this process. */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('Run a batch of requirements (default: the bundled example) in-process and write the agents.')
    .argument('[file]', 'JSONL file of requirements', EXAMPLE)
    .option('-o, --out <dir>', 'folder for the agent files and index.json', 'out/agents')
    .option('-c, --concurrency <n>', 'requirements in flight at once', '8')
    .action(async (file: string, flags: StartFlags) => {
      const config = loadConfig();
      const requirements = await readRequirementsJsonl(file);
      const { docs, extraLibraries } = createResearch(config);
      const bar = new SingleBar({ format: ' {bar} {value}/{total} agents | {duration}s', hideCursor: true, noTTYOutput: false, stream: process.stderr }, Presets.shades_classic);
      const started = performance.now();
      const results: { id: string; result?: AgentResult; path?: string; error?: string }[] = [];
      bar.start(requirements.length, 0);
      let next = 0;
      // Bounded concurrency: a few runners pull from one cursor, so at most N requirements are in flight.
      const runner = async (): Promise<void> => {
        while (next < requirements.length) {
          const item = requirements[next++]!;
          try {
            const result = await runPipeline(item, { docs }, { models: config.AF_AGENT_MODELS, extraLibraries });
            const written = await writeAgent(flags.out, result.name, result.content);
            results.push({ id: item.id, result, path: written.path });
          } catch (error) {
            results.push({ id: item.id, error: (error as Error).message });
          }
          bar.increment();
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Number(flags.concurrency) || 1) }, runner));
      bar.stop();
      await docs?.close?.();
      const seconds = (performance.now() - started) / 1000;
      const index = Object.fromEntries(
        results.map((r) => [r.id, r.result ? { file: r.path, name: r.result.name, tier: r.result.plan.complexity.tier, gates: Object.fromEntries(r.result.report.gates.map((g) => [g.gate, g.score])), tokens: r.result.budget.total.tokens, timingsMs: r.result.timings } : { error: r.error }]),
      );
      await writeFile(join(flags.out, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
      process.stdout.write(`${batchReport(results.flatMap((r) => (r.result ? [r.result] : [])), results.filter((r) => r.error).length, seconds, flags.out)}\n`);
      if (results.some((r) => r.error || (r.result && !r.result.report.passed))) process.exitCode = 1;
    });
}
