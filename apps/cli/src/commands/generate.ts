import { runPipeline, TierSchema, AgentModelSchema, type AgentResult, type GenerationProgress } from '@agent-factory/core';
import { createAnthropicProvider, type AnthropicProvider, type RetryEvent } from '@agent-factory/llm';
import { type Command, Option } from 'commander';
import { loadConfig, loadLlmSettings } from '../config.js';
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

/** Live generation progress on stderr: one rewritten line on a terminal, a line a second otherwise. */
function progressLine(out: NodeJS.WriteStream = process.stderr) {
  let last = 0;
  let open = false;
  const clear = (): void => {
    if (open) out.write('\r\x1b[2K');
    open = false;
  };
  return {
    onProgress(p: GenerationProgress): void {
      const now = Date.now();
      if (now - last < (out.isTTY ? 100 : 1000)) return;
      last = now;
      const text = `generating: ${p.characters.toLocaleString('en-US')} characters, ~${p.outputTokens.toLocaleString('en-US')} tokens`;
      if (out.isTTY) {
        out.write(`\r\x1b[2K${text}`);
        open = true;
      } else out.write(`${text}\n`);
    },
    onRetry(e: RetryEvent): void {
      clear();
      out.write(`retry ${e.retry}/${e.maxRetries} in ${(e.delayMs / 1000).toFixed(1)} s: ${e.error.message}\n`);
    },
    done: clear,
  };
}

function usageLine(provider: AnthropicProvider): string {
  const { usage, costUsd, requests, retries } = provider.stats();
  return `  usage: input ${usage.input}, output ${usage.output}, cache write ${usage.cacheCreation}, cache read ${usage.cacheRead} tokens; $${costUsd.toFixed(4)}; ${requests} request${requests === 1 ? '' : 's'}, ${retries} retr${retries === 1 ? 'y' : 'ies'}`;
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
      const llmSettings = loadLlmSettings();
      const requirement = await readRequirement(arg);
      const model = flags.model === undefined ? undefined : AgentModelSchema.safeParse(flags.model);
      if (model && !model.success) throw new UsageError(`--model ${flags.model}: use haiku, sonnet, opus, inherit or a full claude-… id`);
      const { docs, extraLibraries } = createResearch(config);
      const progress = progressLine();
      const llm = llmSettings.provider === 'anthropic' ? createAnthropicProvider({ ...llmSettings.anthropic, onRetry: progress.onRetry }) : undefined;
      try {
        const result = await runPipeline(
          { requirement, tier: flags.tier ? TierSchema.parse(flags.tier) : undefined, model: model?.data },
          { docs, ...(llm ? { llm } : {}) },
          { models: config.AF_AGENT_MODELS, extraLibraries, ...(llm ? { onProgress: progress.onProgress } : {}) },
        ).finally(progress.done);
        const written = flags.dryRun ? undefined : await writeAgent(flags.out, result.name, result.content, { force: flags.force });
        if (flags.json) {
          const { content, ...rest } = result;
          const cost = llm ? { costUsd: llm.stats().costUsd } : {};
          process.stdout.write(`${JSON.stringify({ path: written?.path ?? null, ...rest, name: written?.name ?? result.name, ...cost, ...(flags.dryRun ? { content } : {}) }, null, 2)}\n`);
        } else {
          if (flags.dryRun) process.stdout.write(result.content);
          process.stdout.write(`${summary(result, written?.path)}\n${llm ? `${usageLine(llm)}\n` : ''}`);
        }
        if (!result.report.passed) process.exitCode = 1;
      } finally {
        await docs?.close?.();
      }
    });
}
