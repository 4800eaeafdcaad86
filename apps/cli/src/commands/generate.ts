import { runPipeline, TierSchema, AgentModelSchema, type AgentResult } from '@agent-factory/core';
import { type Command, Option } from 'commander';
import { loadConfig } from '../config.js';
import { createResearch } from '../docs-source.js';
import { readRequirement } from '../read-input.js';
import { UsageError } from '../usage-error.js';
import { writeAgent } from '../write-agent.js';

interface GenerateFlags {
  out: string;
  json?: boolean;
  tier?: string;
  model?: string;
  force?: boolean;
  dryRun?: boolean;
}

function summary(result: AgentResult, path: string | undefined): string {
  const { complexity, policy } = result.plan;
  const gates = result.report.gates.map((g) => `${g.gate} ${g.score}`).join(', ');
  const lines = [
    `${path ? `wrote ${path}` : `agent ${result.name} (not written: --dry-run)`}`,
    `  tier ${complexity.tier} (complexity ${complexity.score}/10), model ${complexity.model}, tools ${policy.tools.join(', ')}`,
    `  gates ${result.report.passed ? 'passed' : 'FAILED'}: ${gates}`,
    `  tokens ${result.budget.total.tokens} of ${result.budget.total.limit} budgeted${result.budget.exact ? '' : ' (estimated)'}, generator ${result.generator.provider}`,
  ];
  for (const reason of result.degraded) lines.push(`  degraded: ${reason}`);
  for (const f of result.report.gates.flatMap((g) => g.findings)) lines.push(`  ${f.severity} ${f.rule} (line ${f.line}): ${f.message}`);
  return lines.join('\n');
}

/** `agent-factory generate "<requirement>"`: the whole pipeline in-process, one agent file written. */
export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('Generate one agent file from a requirement, in-process (no Redis needed).')
    .argument('<requirement>', 'what the agent should do, in plain words; "-" reads it from stdin')
    .option('-o, --out <dir>', 'folder to write the agent into', '.claude/agents')
    .addOption(new Option('--tier <tier>', 'force a tier').choices(TierSchema.options))
    .option('--model <model>', "the agent's model: haiku, sonnet, opus, inherit or a full claude-… id")
    .option('--force', 'overwrite an existing file of the same name')
    .option('--dry-run', 'print the agent instead of writing it')
    .option('--json', 'print the result as JSON')
    .action(async (arg: string, flags: GenerateFlags) => {
      const config = loadConfig();
      const requirement = await readRequirement(arg);
      const model = flags.model === undefined ? undefined : AgentModelSchema.safeParse(flags.model);
      if (model && !model.success) throw new UsageError(`--model ${flags.model}: use haiku, sonnet, opus, inherit or a full claude-… id`);
      const { docs, extraLibraries } = createResearch(config);
      try {
        const result = await runPipeline(
          { requirement, tier: flags.tier ? TierSchema.parse(flags.tier) : undefined, model: model?.data },
          { docs },
          { models: config.AF_AGENT_MODELS, extraLibraries },
        );
        const written = flags.dryRun ? undefined : await writeAgent(flags.out, result.name, result.content, { force: flags.force });
        if (flags.json) {
          const { content, ...rest } = result;
          process.stdout.write(`${JSON.stringify({ path: written?.path ?? null, ...rest, name: written?.name ?? result.name, ...(flags.dryRun ? { content } : {}) }, null, 2)}\n`);
        } else {
          if (flags.dryRun) process.stdout.write(result.content);
          process.stdout.write(`${summary(result, written?.path)}\n`);
        }
        if (!result.report.passed) process.exitCode = 1;
      } finally {
        await docs?.close?.();
      }
    });
}
